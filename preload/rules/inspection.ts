/**
 * [A] The words for the inspector's findings (main/transfers/inspect/*): each reason says what was found (the field, the
 * file name, the feature bit: `{param}` placeholders), why it is dangerous, and the command that fixes it, in English
 * and Simplified Chinese. Pure data and one function, no Vue: the renderer (the create dialog, describeError for
 * UNSAFE_FILE / FORMAT_MISMATCH) and the CLI (`glance-desktop inspect`) word the same entries.
 *
 *   input                                   | inspectionText returns
 *   ----------------------------------------|-----------------------------------------------------------------
 *   { reason known, params }, 'en'/'zh-CN'  | the sentence with every {param} filled ('' for a missing one)
 *   { reason unknown }                      | the reason code and its parameters, as is (never empty)
 */

export type InspectionLocale = 'en' | 'zh-CN'

const CONVERT = 'qemu-img convert -O qcow2 IN OUT.qcow2'

/** reason -> [English, 简体中文] */
export const INSPECTION_WORDS = {
  // ---- refusals
  polyglot: [
    `The file is several formats at once ({formats}): each program would read different data from it (a polyglot, the trick behind CVE-2024-32498), so Glance refuses it. Rebuild it in one format: ${CONVERT}`,
    `该文件同时是多种格式（{formats}）：不同程序会从中读到不同的数据（多格式伪装文件，CVE-2024-32498 利用的手法），Glance 会拒绝。请转换为单一格式：${CONVERT}`,
  ],
  qed: [
    `It is a QED image: no cloud service supports QED and Glance refuses it as unsafe. Convert it: ${CONVERT}`,
    `这是 QED 镜像：云服务不支持 QED，Glance 视其为不安全并拒绝。请转换：${CONVERT}`,
  ],
  luks: [
    'It is a LUKS{version} encrypted volume: without its key it cannot be checked or booted, so it is refused unless you declare the disk format raw on purpose (an encrypted volume for Cinder/Nova).',
    '这是 LUKS{version} 加密卷：没有密钥无法检查或启动，因此被拒绝；如确为供 Cinder/Nova 使用的加密卷，请明确将磁盘格式声明为 raw。',
  ],
  qcow2Header: [
    `Its qcow2 header is invalid ({field} = {value}; {expected}): qemu would refuse it or misread it. Re-create it: ${CONVERT}`,
    `其 qcow2 头部无效（{field} = {value}；{expected}）：qemu 会拒绝或误读它。请重新生成：${CONVERT}`,
  ],
  qcow2BackingFile: [
    'It has a backing file ({name}): the image is not self-contained, and a compute host would open that path on its own disk. Glance refuses it. Flatten it: qemu-img convert -O qcow2 IN.qcow2 OUT.qcow2',
    '它有后端文件（{name}）：镜像不是自包含的，计算节点会打开其本地磁盘上的该路径。Glance 会拒绝。请合并：qemu-img convert -O qcow2 IN.qcow2 OUT.qcow2',
  ],
  qcow2DataFile: [
    'It uses an external data file ({name}, incompatible feature bit 2): the guest data lives in another file, which a compute host would open on its own disk (CVE-2024-32498). Glance refuses it. Merge it: qemu-img convert -O qcow2 IN.qcow2 OUT.qcow2',
    '它使用外部数据文件（{name}，不兼容特性位 2）：来宾数据位于另一个文件中，计算节点会打开其本地的该文件（CVE-2024-32498）。Glance 会拒绝。请合并：qemu-img convert -O qcow2 IN.qcow2 OUT.qcow2',
  ],
  qcow2UnknownFeatures: [
    'It sets qcow2 incompatible feature bits that are not known to be safe ({bits}): their meaning cannot be checked, and Glance refuses them. Re-create it without them: qemu-img convert -O qcow2 -o compat=1.1 IN OUT.qcow2',
    '它设置了未知安全性的 qcow2 不兼容特性位（{bits}）：无法检查其含义，Glance 会拒绝。请不带这些特性重新生成：qemu-img convert -O qcow2 -o compat=1.1 IN OUT.qcow2',
  ],
  vmdkDescriptorFile: [
    `It is a VMDK descriptor (a text file, createType {createType}): the disk data is in other files ({extents}), which a compute host would open on its own disk. Glance refuses it. Make one self-contained file: ${CONVERT}`,
    `这是 VMDK 描述文件（文本文件，createType 为 {createType}）：磁盘数据位于其他文件（{extents}），计算节点会打开其本地的这些文件。Glance 会拒绝。请生成单一自包含文件：${CONVERT}`,
  ],
  vmdkCreateType: [
    'Its VMDK createType is {createType}; only monolithicSparse and streamOptimized keep the data inside the file (the others reference extent files, CVE-2024-32498). Convert it: qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
    '其 VMDK createType 为 {createType}；只有 monolithicSparse 和 streamOptimized 将数据保存在文件内部（其他类型引用外部 extent 文件，CVE-2024-32498）。请转换：qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
  ],
  vmdkExtentFile: [
    'Its VMDK descriptor names an extent outside the image ({file}, type {type}): a compute host would read that file from its own disk. Glance refuses it. Convert it: qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
    '其 VMDK 描述符引用了镜像之外的 extent（{file}，类型 {type}）：计算节点会读取其本地的该文件。Glance 会拒绝。请转换：qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
  ],
  vmdkExtentCount: [
    'Its VMDK descriptor lists {count} extents; a self-contained VMDK has exactly one (the others would be other files). Convert it: qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
    '其 VMDK 描述符列出了 {count} 个 extent；自包含的 VMDK 只有一个（其余的会是其他文件）。请转换：qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
  ],
  vmdkNoExtent: [
    'Its VMDK descriptor lists no extent: there is no data to boot and Glance refuses it. Re-create it: qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
    '其 VMDK 描述符没有任何 extent：没有可启动的数据，Glance 会拒绝。请重新生成：qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
  ],
  vmdkDescriptorLine: [
    'Its VMDK descriptor has a line that is not a comment, a setting, a ddb entry or an extent ({line}): it cannot be checked, and Glance refuses it. Re-create it: qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
    '其 VMDK 描述符包含无法识别的行（{line}）：既不是注释、设置、ddb 条目也不是 extent，无法检查，Glance 会拒绝。请重新生成：qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
  ],
  vmdkDescriptorBounds: [
    'Its VMDK descriptor location is invalid (offset {offset}, size {size} bytes, file {fileSize} bytes; {expected}): qemu would read it elsewhere than this check did. Re-create it: qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
    '其 VMDK 描述符位置无效（偏移 {offset}，大小 {size} 字节，文件 {fileSize} 字节；{expected}）：qemu 读取的位置会与本检查不同。请重新生成：qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
  ],
  vmdkHeader: [
    'Its VMDK header is invalid ({field} = {value}; {expected}). Re-create it: qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
    '其 VMDK 头部无效（{field} = {value}；{expected}）。请重新生成：qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
  ],
  vmdkFooter: [
    'Its VMDK footer (gdOffset at the end) is invalid ({field} = {value}; {expected}): qemu takes the footer over the header, so what was checked is not what would be used. Re-create it: qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
    '其 VMDK 尾部（gdOffset 位于末尾）无效（{field} = {value}；{expected}）：qemu 以尾部为准，被检查的内容与实际使用的不同。请重新生成：qemu-img convert -O vmdk -o subformat=streamOptimized IN OUT.vmdk',
  ],
  vmdkParent: [
    `It is a VMDK delta disk with a parent ({parent}): it is not self-contained. Merge it with its parent first: ${CONVERT}`,
    `这是带父磁盘（{parent}）的 VMDK 差分盘：不是自包含的。请先与父磁盘合并：${CONVERT}`,
  ],
  vmdkCowd: [
    `It is an old VMware COWD (VMDK3) disk: Glance's inspector cannot check it, and it may reference other files. Convert it: ${CONVERT}`,
    `这是旧版 VMware COWD（VMDK3）磁盘：Glance 的检查器无法检查它，且它可能引用其他文件。请转换：${CONVERT}`,
  ],
  vhdDifferencing: [
    `It is a differencing VHD: it depends on a parent disk ({parent}) and is not self-contained. Merge it: ${CONVERT}`,
    `这是差分 VHD：依赖父磁盘（{parent}），不是自包含的。请合并：${CONVERT}`,
  ],
  vhdxDifferencing: [
    `It is a differencing VHDX ({field}): it depends on a parent disk and is not self-contained. Merge it: ${CONVERT}`,
    `这是差分 VHDX（{field}）：依赖父磁盘，不是自包含的。请合并：${CONVERT}`,
  ],
  vdiDifferencing: [
    `It is a {type} VDI: it depends on a parent disk and is not self-contained. Merge it: ${CONVERT}`,
    `这是 {type} 类型的 VDI：依赖父磁盘，不是自包含的。请合并：${CONVERT}`,
  ],
  mbrBootFlag: [
    'Its MBR partition {partition} has an invalid boot flag ({value}; only 0x00 or 0x80): the partition table is not what it claims, and Glance refuses it. Rewrite the table (parted) or convert the disk: qemu-img convert -O raw IN OUT.raw',
    '其 MBR 第 {partition} 个分区的引导标志无效（{value}；只能是 0x00 或 0x80）：分区表与其声明不符，Glance 会拒绝。请重写分区表（parted）或转换磁盘：qemu-img convert -O raw IN OUT.raw',
  ],
  gptExtraPartitions: [
    'Its protective MBR (GPT) also defines {count} other partitions: a GPT disk has exactly one protective partition, and Glance refuses the mix. Rewrite the table with parted (mklabel gpt).',
    '其保护性 MBR（GPT）还定义了 {count} 个其他分区：GPT 磁盘只有一个保护分区，Glance 会拒绝这种混合。请用 parted 重写分区表（mklabel gpt）。',
  ],
  gptHeader: [
    'It has a protective MBR (type 0xEE) but no valid GPT header ({field}): the partition table is broken, and a compute host may misread the disk. Rewrite the table with parted (mklabel gpt).',
    '它有保护性 MBR（类型 0xEE），但没有有效的 GPT 头部（{field}）：分区表已损坏，计算节点可能误读磁盘。请用 parted 重写分区表（mklabel gpt）。',
  ],
  streamDiffers: [
    'The bytes being sent are not the file that was inspected ({found} sent, {accepted} accepted): the file changed or was swapped during the upload. The upload was stopped before Glance made the image active. Check the file and add the upload again.',
    '正在发送的字节不是被检查过的文件（发送的是 {found}，接受的是 {accepted}）：文件在上传过程中被修改或替换。上传已在 Glance 激活镜像之前停止。请检查该文件并重新添加上传。',
  ],
  inspectionChanged: [
    'The file no longer inspects as it did when the upload was added ({found} now, {accepted} then): it changed since. Nothing was sent. Check the file and add the upload again.',
    '该文件的检查结果与添加上传时不同（现在是 {found}，当时是 {accepted}）：文件已被修改。未发送任何数据。请检查该文件并重新添加上传。',
  ],
  // ---- warnings
  encrypted: ['The image is encrypted ({method}); a compute host cannot boot it without its key.', '镜像已加密（{method}）；计算节点没有密钥无法启动它。'],
  qcow2Corrupt: [
    'The qcow2 image is marked corrupt (incompatible feature bit 1): qemu opens it read-only. Check it: qemu-img check -r all IN.qcow2',
    'qcow2 镜像被标记为损坏（不兼容特性位 1）：qemu 只能以只读方式打开。请检查：qemu-img check -r all IN.qcow2',
  ],
  qcow2Larger: [
    'The file is much larger than its virtual size (internal snapshots or an unusual layout?). To drop snapshots: qemu-img convert -O qcow2 IN OUT.qcow2',
    '文件远大于其虚拟大小（内部快照或布局异常？）。如需去除快照：qemu-img convert -O qcow2 IN OUT.qcow2',
  ],
  vhdxUnreadable: ['The VHDX {what} is unreadable; its virtual size is unknown.', 'VHDX 的{what}无法读取；虚拟大小未知。'],
  vdiVersion: ['VDI version {version}: its virtual size is unknown.', 'VDI 版本 {version}：虚拟大小未知。'],
  isoTruncated: [
    'The ISO is shorter than its volume descriptor says ({volumeBytes} bytes declared, {size} present): the file looks truncated.',
    'ISO 比其卷描述符声明的要短（声明 {volumeBytes} 字节，实际 {size} 字节）：文件似乎被截断。',
  ],
  rawNoTable: [
    'No partition table or known format header found: the file is treated as a raw disk (a bare filesystem or arbitrary data?).',
    '未找到分区表或已知格式头：该文件将被视为原始磁盘（裸文件系统或任意数据？）。',
  ],
  rawUnaligned: ['The size ({size} bytes) is not a multiple of 512; a raw disk normally is.', '大小（{size} 字节）不是 512 的倍数；原始磁盘通常是。'],
  mbrBeyondEnd: [
    'MBR partition {partition} ends beyond the end of the file: the disk looks truncated.',
    'MBR 第 {partition} 个分区超出文件末尾：磁盘似乎被截断。',
  ],
  declaredOther: ['Declared {declared}, detected {detected}; sent as {declared}.', '声明为 {declared}，检测为 {detected}；按 {declared} 发送。'],
  luksDeclared: [
    'It is a LUKS{version} encrypted volume, sent as raw because you declared it: a compute host needs its key to use it.',
    '这是 LUKS{version} 加密卷，因您的声明按 raw 发送：计算节点需要其密钥才能使用。',
  ],
  // ---- errors around inspection (FORMAT_MISMATCH, FILE)
  formatMismatch: [
    'The file is {detected}, not {declared}: uploaded as {declared} it would give an image that cannot boot (Glance checks this too). Choose disk format {proposed} or auto.',
    '该文件是 {detected}，不是 {declared}：按 {declared} 上传会得到无法启动的镜像（Glance 也会检查）。请选择磁盘格式 {proposed} 或 auto。',
  ],
  fileChanged: [
    'The file {path} changed after it was inspected ({field}: {then} then, {now} now): the upload was stopped so that nothing but the inspected file is sent. Check the file and add the upload again.',
    '文件 {path} 在检查之后被修改（{field}：当时 {then}，现在 {now}）：上传已停止，以确保只发送被检查过的文件。请检查该文件并重新添加上传。',
  ],
} as const satisfies Record<string, readonly [string, string]>

export type InspectionReason = keyof typeof INSPECTION_WORDS

export function isInspectionReason(r: string): r is InspectionReason {
  return Object.prototype.hasOwnProperty.call(INSPECTION_WORDS, r)
}

export function inspectionText(issue: { reason: string; params?: Record<string, string | number | boolean | null> }, locale: InspectionLocale = 'en'): string {
  const params = issue.params ?? {}
  if (!isInspectionReason(issue.reason)) {
    const p = Object.entries(params).map(([k, v]) => `${k}=${String(v)}`)
    return p.length ? `${issue.reason} (${p.join(', ')})` : issue.reason
  }
  const words = INSPECTION_WORDS[issue.reason][locale === 'zh-CN' ? 1 : 0]
  return words.replace(/\{(\w+)\}/g, (_, k: string) => (params[k] === undefined || params[k] === null ? '' : String(params[k])))
}

/** The catalogue for one language, as vue-i18n messages (errorReason.UNSAFE_FILE.* in renderer/i18n; same {params}). */
export function inspectionMessages(locale: InspectionLocale): Record<InspectionReason, string> {
  const i = locale === 'zh-CN' ? 1 : 0
  return Object.fromEntries(Object.entries(INSPECTION_WORDS).map(([k, v]) => [k, v[i]])) as Record<InspectionReason, string>
}
