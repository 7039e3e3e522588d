// npm run bench: transfer throughput of the glance-desktop CLI against curl and the openstack CLI on the same file,
// alternating runs (the order rotates every round), medians; the CLI's real upload path against a discard sink
// (bench/sink.mjs plays Keystone + Glance) against curl to the same sink; the CLI's peak RSS. See bench/RESULTS.md.
//   BENCH_SIZE_MIB (1024)  BENCH_RUNS (3)  BENCH_RSS_MIB ("1024,4096", or BENCH_SIZE_MIB when that is smaller; empty to
//   skip)  BENCH_TMP (work folder)
//   D1: "copy": the copy of the image between two regions (BENCH_COPY_FROM/TO, default the login's region ->
//   RegionTwo) streamed by the CLI (image copy --method stream, md5+sha512 on the way) against `curl GET | curl -T -
//   PUT` (the same bytes, unverified), and server-side (glance-download, when the target offers it); peak RSS of the
//   copy at each BENCH_RSS_MIB size (with rss, or copy-rss for the copy's alone); BENCH_BASELINE_CLI's streamed copy
//   in the same rotation. The verifying peers of plain transfers: `curl | tee FILE | sha512sum` (download) and
//   `sha512sum FILE & md5sum FILE &` beside `curl -T` (upload). BENCH_COPY_RUNS (5, at least BENCH_RUNS): the copy's
//   rounds (its runs spread the most: two Glances and the desk on 2 cores). On its own cloud the bench also prints
//   the receiving Glance's CPU s/GiB during each copy and upload (/proc): that one Python process sets their pace.
//   BENCH_ONLY ("upload,download,sink,rss,copy,copy-rss,startup,ui": a subset; startup: the CLI's start-up to its first
//   request (BENCH_STARTUP_RUNS, 15); ui runs bench/ui.mjs when present, the renderer benchmark)  BENCH_BASELINE_CLI
//   (another build of out/cli/index.js, e.g. an older commit's, run in the same rotation as "baseline")  BENCH_JSON=1
//   (raw figures as JSON at the end)
//   A cloud: OS_* from the environment when OS_AUTH_URL or OS_CLOUD is set; else the bench starts its own with
//   test/cloud/up.sh in a temporary state dir on ports 35000/39292 (BENCH_KEYSTONE_PORT, BENCH_GLANCE_PORT), one
//   region, no Cinder, Keystone's cache on as in production (BENCH_KEYSTONE_CACHE=0: off; test/cloud/README.md),
//   and stops it at the end.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { createHash, randomBytes } from 'node:crypto'
import { loadavg, tmpdir, cpus } from 'node:os'
import { join, resolve } from 'node:path'
import { createServer } from 'node:net'

const root = resolve(import.meta.dirname, '..')
const CLI = join(root, 'out/cli/index.js')
const BASE_CLI = process.env.BENCH_BASELINE_CLI ? resolve(process.env.BENCH_BASELINE_CLI) : null
const MiB = 1024 * 1024
const SIZE = Number(process.env.BENCH_SIZE_MIB ?? 1024)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const COPY_RUNS = Number(process.env.BENCH_COPY_RUNS ?? Math.max(RUNS, 5))
const RSS = (process.env.BENCH_RSS_MIB ?? (SIZE >= 1024 ? '1024,4096' : String(SIZE))).split(',').filter(Boolean).map(Number)
const KEYSTONE_CACHE = process.env.BENCH_KEYSTONE_CACHE === '0' ? '0' : '1'
const ONLY = new Set((process.env.BENCH_ONLY ?? 'upload,download,sink,rss,copy,startup,ui').split(',').map((s) => s.trim()))
const work = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'glance-bench-'))
const cleanups = []
const log = (...a) => console.error('[bench]', ...a)
const load = () => loadavg()[0]

if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build (npm run bench does)`)

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
function fileOf(mib, name) {
  const p = join(work, name)
  const fd = openSync(p, 'w')
  const block = randomBytes(MiB)
  for (let i = 0; i < mib; i++) {
    block.writeUInt32LE(i, 0) // no two MiB alike
    writeSync(fd, block)
  }
  closeSync(fd)
  return p
}
/** Runs a command; wall seconds, and its CPU seconds (user + sys, children included) from GNU time. */
function timed(cmd, args, opts = {}) {
  const tf = join(work, 'time.txt')
  const t0 = performance.now()
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', tf, cmd, ...args], { encoding: 'utf8', maxBuffer: 64 * MiB, ...opts })
  const seconds = (performance.now() - t0) / 1000
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`)
  const [u, s] = readFileSync(tf, 'utf8').trim().split('\n').at(-1).split(' ').map(Number)
  return { seconds, cpu: u + s, stdout: r.stdout }
}
/** Runs the fns of one round in an order that rotates with the round number. */
function rotate(round, fns) {
  for (let i = 0; i < fns.length; i++) fns[(i + round) % fns.length]()
}

/**
 * What one core of this machine hashes (node:crypto, 1 MiB updates over 256 MiB, best of 3): the floor under any
 * verified transfer. A verified download cannot end before one thread has hashed every byte (sha512), nor can an
 * upload before md5 and sha512 have (one thread: both in turn; two threads: the slower of the two).
 */
function hashCeiling() {
  const buf = randomBytes(MiB)
  const rate = (algo) => {
    let best = 0
    for (let k = 0; k < 3; k++) {
      const h = createHash(algo)
      const t0 = performance.now()
      for (let i = 0; i < 256; i++) h.update(buf)
      h.digest()
      best = Math.max(best, 256 / ((performance.now() - t0) / 1000))
    }
    return best
  }
  const md5 = rate('md5')
  const sha512 = rate('sha512')
  return { md5, sha512, both: 1 / (1 / md5 + 1 / sha512) }
}
const ceiling = hashCeiling()
log(`one core hashes md5 ${ceiling.md5.toFixed(0)} MiB/s, sha512 ${ceiling.sha512.toFixed(0)} MiB/s, both in turn ${ceiling.both.toFixed(0)} MiB/s`)

// ---- cloud
const env = { ...process.env }
for (const k of ['CLOUD_PORT_OFFSET', 'CLOUD_PROFILE']) delete env[k]
let cloudNote = 'OS_* from the environment'
/** The bench's own cloud (its state dir), when it started one: then the Glances' own CPU can be read from /proc. */
let ownCloudState = null
/**
 * CPU seconds (user + sys) used so far by the Glance API process of `region` (test/cloud: RegionOne = glance1,
 * RegionTwo = glance2) of the bench's own cloud, from /proc (Linux); null elsewhere or with another cloud. Each
 * Glance of test/cloud is one Python process (eventlet): at C CPU s per GiB it cannot take more than 1024 / C MiB/s,
 * whoever sends.
 */
function glanceCpu(region) {
  const name = { RegionOne: 'glance1', RegionTwo: 'glance2' }[region]
  if (!ownCloudState || !name || process.platform !== 'linux') return null
  const conf = join(ownCloudState, 'etc/glance', `${name}.conf`)
  let total = null
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(conf)) continue
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      total = (total ?? 0) + (Number(f[11]) + Number(f[12])) / 100 // utime, stime: clock ticks (USER_HZ = 100)
    } catch {
      // a process that ended meanwhile
    }
  }
  return total
}
if (!env.OS_AUTH_URL && !env.OS_CLOUD) {
  const state = mkdtempSync(join(tmpdir(), 'glance-bench-cloud-'))
  // 35000/39292 unless taken (other clouds on this machine): then the next free pair 35010/39302, ...
  const free = (port) =>
    new Promise((r) => {
      const s = createServer()
        .once('error', () => r(false))
        .listen(port, '127.0.0.1', () => s.close(() => r(true)))
    })
  let k = 0
  if (!process.env.BENCH_KEYSTONE_PORT) while (k < 50 && !((await free(35000 + k * 10)) && (await free(39292 + k * 10)) && (await free(39293 + k * 10)))) k++
  const ports = {
    KEYSTONE_PORT: process.env.BENCH_KEYSTONE_PORT ?? String(35000 + k * 10),
    GLANCE_PORT: process.env.BENCH_GLANCE_PORT ?? String(39292 + k * 10),
    GLANCE2_PORT: process.env.BENCH_GLANCE2_PORT ?? String(39293 + k * 10),
  }
  log(`starting a loopback cloud in ${state} (keystone :${ports.KEYSTONE_PORT}, glance :${ports.GLANCE_PORT})`)
  // a second region for the copy bench (its Glance offers glance-download: test/cloud/up.sh)
  // Keystone's cache on, as production Keystones run (test/cloud/README.md, KEYSTONE_CACHE): uncached, every new
  // token's first validation costs ~1.3 s of SQL here, for us and the peers alike. BENCH_KEYSTONE_CACHE=0: off.
  const cloudEnv = { ...env, ...ports, ENABLE_CINDER: '0', ENABLE_REGION2: ONLY.has('copy') ? '1' : '0', KEYSTONE_CACHE: KEYSTONE_CACHE }
  cleanups.push(() => {
    log('stopping the bench cloud')
    execFileSync('bash', [join(root, 'test/cloud/down.sh'), state], { stdio: 'ignore', env: cloudEnv })
    rmSync(state, { recursive: true, force: true })
  })
  try {
    execFileSync('bash', [join(root, 'test/cloud/up.sh'), state], { stdio: ['ignore', 'ignore', 'pipe'], env: cloudEnv })
  } catch (e) {
    console.error(
      String(e.stderr ?? '')
        .split('\n')
        .filter((l) => l.startsWith('[up.sh'))
        .join('\n'),
    )
    for (const c of cleanups.reverse()) c()
    rmSync(work, { recursive: true, force: true })
    throw new Error(`the bench cloud did not start (${e.message.split('\n')[0]})`)
  }
  for (const line of readFileSync(join(state, 'admin-openrc.sh'), 'utf8').split('\n')) {
    const m = /^export (OS_\w+)=(.*)$/.exec(line)
    if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, '')
  }
  ownCloudState = state
  cloudNote = `own cloud (test/cloud/up.sh, keystone :${ports.KEYSTONE_PORT}${KEYSTONE_CACHE === '1' ? ' cached' : ' uncached'}, glance :${ports.GLANCE_PORT}, no Cinder)`
}
env.OS_IDENTITY_API_VERSION = '3'

function passwordAuth() {
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: env.OS_USERNAME, domain: { name: env.OS_USER_DOMAIN_NAME ?? 'Default' }, password: env.OS_PASSWORD } },
      },
      scope: { project: { name: env.OS_PROJECT_NAME, domain: { name: env.OS_PROJECT_DOMAIN_NAME ?? 'Default' } } },
    },
  }
}
async function auth() {
  const res = await fetch(`${env.OS_AUTH_URL.replace(/\/$/, '')}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(passwordAuth()),
  })
  const token = res.headers.get('x-subject-token')
  const cat = (await res.json()).token.catalog
  const region = env.OS_REGION_NAME ?? 'RegionOne'
  const eps = cat.find((s) => s.type === 'image').endpoints.filter((e) => e.interface === 'public')
  const ep = eps.find((e) => e.region === region).url
  const glances = Object.fromEntries(eps.map((e) => [e.region, e.url.replace(/\/$/, '').replace(/\/v2$/, '')]))
  return { token, glance: ep.replace(/\/$/, ''), glances, region }
}

const results = {}
const loads = {}
const cpuPerGiB = {}
/** key -> the receiving Glance's CPU s/GiB in each run (own cloud only): what sets a copy's or an upload's pace here. */
const glanceCpuPerGiB = {}
/** Runs fn (a timed step that records under `key`) and records what the Glance of `region` spent meanwhile. */
const withGlanceCpu = (key, region, fn) => () => {
  const c0 = glanceCpu(region)
  const r = fn()
  const c1 = glanceCpu(region)
  if (c0 !== null && c1 !== null) (glanceCpuPerGiB[key] ??= []).push((c1 - c0) / (SIZE / 1024))
  return r
}
const record = (k, mibs, t) => {
  ;(results[k] ??= []).push(mibs)
  ;(loads[k] ??= []).push(load())
  if (t?.cpu !== undefined) (cpuPerGiB[k] ??= []).push(t.cpu / (SIZE / 1024))
}
const rss = {}
const startup = {}
let uiOut = null
let failed = null

try {
  const { token, glance, glances, region: homeRegion } = await auth()
  const created = []
  const api = async (method, path, json) => {
    const res = await fetch(`${glance}${path}`, {
      method,
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      ...(json ? { body: JSON.stringify(json) } : {}),
    })
    return res.status === 204 ? null : res.json().catch(() => null)
  }
  const dropImages = async () => {
    for (const id of created.splice(0)) await api('DELETE', `/v2/images/${id}`).catch(() => {})
  }
  cleanups.push(dropImages)

  log(`creating a ${SIZE} MiB random file in ${work}`)
  const file = fileOf(SIZE, 'bench.raw')
  const bytes = SIZE * MiB
  const hasOsc = spawnSync('openstack', ['--version']).status === 0
  const clis = [['glance-desktop', CLI], ...(BASE_CLI ? [['baseline', BASE_CLI]] : [])]
  const upArgs = (name) => ['image', 'upload', file, '--name', name, '--disk-format', 'raw', '--json', '--no-progress']

  // ---- upload to the same Glance
  if (ONLY.has('upload') || ONLY.has('download')) {
    for (let r = 0; r < RUNS; r++) {
      log(`upload round ${r + 1}/${RUNS} (load ${load().toFixed(2)})`)
      await dropImages()
      const steps = clis.map(([label, cli]) => () => {
        const ours = timed('node', [cli, ...upArgs(`bench-${label}`)], { env })
        const j = JSON.parse(ours.stdout)
        created.push(j.id)
        if (!j.verified) throw new Error(`${label} upload not verified`)
        record(`upload ${label} (CLI wall clock)`, bytes / MiB / ours.seconds, ours)
        record(`upload ${label} (engine seconds)`, bytes / MiB / j.seconds)
        if (j.transferSeconds) record(`upload ${label} (transfer: PUT to verified)`, bytes / MiB / j.transferSeconds)
      })
      steps.push(() => {
        const id = execFileSync(
          'curl',
          [
            '-sS',
            '-H',
            `X-Auth-Token: ${token}`,
            '-H',
            'Content-Type: application/json',
            '-d',
            JSON.stringify({ name: 'bench-curl', disk_format: 'raw', container_format: 'bare' }),
            `${glance}/v2/images`,
          ],
          { encoding: 'utf8' },
        )
        const img = JSON.parse(id)
        created.push(img.id)
        const c = timed('curl', [
          '-sS',
          '-f',
          '-o',
          '/dev/null',
          '-X',
          'PUT',
          '-H',
          `X-Auth-Token: ${token}`,
          '-H',
          'Content-Type: application/octet-stream',
          '-T',
          file,
          `${glance}/v2/images/${img.id}/file`,
        ])
        record('upload curl -T', bytes / MiB / c.seconds, c)
      })
      // what the receiving Glance spent on each (own cloud): its one Python process sets the pace of a PUT here
      for (let i = 0; i < clis.length; i++) steps[i] = withGlanceCpu(`upload ${clis[i][0]}`, homeRegion, steps[i])
      steps[clis.length] = withGlanceCpu('upload curl -T', homeRegion, steps[clis.length])
      // D1: the verifying peer: the file hashed by sha512sum and md5sum beside the same curl -T
      steps.push(() => {
        const img = JSON.parse(
          execFileSync(
            'curl',
            [
              '-sS',
              '-H',
              `X-Auth-Token: ${token}`,
              '-H',
              'Content-Type: application/json',
              '-d',
              JSON.stringify({ name: 'bench-curl-verified', disk_format: 'raw', container_format: 'bare' }),
              `${glance}/v2/images`,
            ],
            { encoding: 'utf8' },
          ),
        )
        created.push(img.id)
        const script = `set -e; sha512sum "$1" >/dev/null & a=$!; md5sum "$1" >/dev/null & b=$!; curl -sS -f -o /dev/null -X PUT -H "X-Auth-Token: $2" -H 'Content-Type: application/octet-stream' -T "$1" "$3"; wait $a; wait $b`
        const c = timed('bash', ['-c', script, 'peer', file, token, `${glance}/v2/images/${img.id}/file`])
        record('upload peer: curl -T + sha512sum + md5sum', bytes / MiB / c.seconds, c)
      })
      // issue 16: the whole curl flow, as the CLI's wall clock counts it: a new token, the image created, the PUT
      steps.push(() => {
        const script = `set -e -o pipefail
tok=$(printf '%s' "$BENCH_AUTH_BODY" | curl -sS -f -o /dev/null -D - -H 'Content-Type: application/json' -d @- "$2/auth/tokens" | tr -d '\\r' | sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: //p')
id=$(curl -sS -f -H "X-Auth-Token: $tok" -H 'Content-Type: application/json' -d '{"name":"bench-curl-flow","disk_format":"raw","container_format":"bare"}' "$3/v2/images" | sed -n 's/.*"id": *"\\([0-9a-f-]*\\)".*/\\1/p')
echo "$id"
curl -sS -f -o /dev/null -X PUT -H "X-Auth-Token: $tok" -H 'Content-Type: application/octet-stream' -T "$1" "$3/v2/images/$id/file"`
        // the password reaches curl on its stdin (never on a command line)
        const c = timed('bash', ['-c', script, 'flow', file, env.OS_AUTH_URL.replace(/\/$/, ''), glance], {
          env: { ...process.env, BENCH_AUTH_BODY: JSON.stringify(passwordAuth()) },
        })
        created.push(c.stdout.trim())
        record('upload curl flow: token + create + curl -T', bytes / MiB / c.seconds, c)
      })
      if (hasOsc) {
        steps.push(() => {
          const o = timed(
            'openstack',
            ['image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', file, 'bench-osc', '-f', 'value', '-c', 'id'],
            { env },
          )
          created.push(o.stdout.trim())
          record('upload openstack image create --file', bytes / MiB / o.seconds, o)
        })
      }
      if (!ONLY.has('upload')) {
        steps[0]() // just an image to download
        break
      }
      rotate(r, steps)
    }
  }

  // ---- download from the same Glance (the image uploaded last)
  if (ONLY.has('download')) {
    const id = created.at(-1)
    const out = join(work, 'dl.raw')
    for (let r = 0; r < RUNS; r++) {
      log(`download round ${r + 1}/${RUNS} (load ${load().toFixed(2)})`)
      const steps = clis.map(([label, cli]) => () => {
        rmSync(out, { force: true })
        const ours = timed('node', [cli, 'image', 'download', id, '--file', out, '--json', '--no-progress'], { env })
        const j = JSON.parse(ours.stdout)
        if (!j.verified) throw new Error(`${label} download not verified`)
        record(`download ${label} (CLI wall clock, verified)`, bytes / MiB / ours.seconds, ours)
        record(`download ${label} (engine seconds)`, bytes / MiB / j.seconds)
        if (j.transferSeconds) record(`download ${label} (transfer: GET to verified)`, bytes / MiB / j.transferSeconds)
        rmSync(out, { force: true })
      })
      steps.push(() => {
        rmSync(out, { force: true })
        const c = timed('curl', ['-sS', '-f', '-o', out, '-H', `X-Auth-Token: ${token}`, `${glance}/v2/images/${id}/file`])
        record('download curl -o file', bytes / MiB / c.seconds, c)
        rmSync(out, { force: true })
      })
      // D1: the verifying peer: the same GET through tee into the file and sha512sum
      steps.push(() => {
        rmSync(out, { force: true })
        const script = `set -o pipefail; curl -sS -f -H "X-Auth-Token: $2" "$3" | tee "$1" | sha512sum >/dev/null`
        const c = timed('bash', ['-c', script, 'peer', out, token, `${glance}/v2/images/${id}/file`])
        record('download peer: curl | tee file | sha512sum', bytes / MiB / c.seconds, c)
        rmSync(out, { force: true })
      })
      if (hasOsc) {
        steps.push(() => {
          rmSync(out, { force: true })
          const o = timed('openstack', ['image', 'save', '--file', out, id], { env })
          record('download openstack image save', bytes / MiB / o.seconds, o)
          rmSync(out, { force: true })
        })
      }
      rotate(r, steps)
    }
  }
  await dropImages()

  // ---- the client's own ceiling: the CLI's real upload path into a discard sink
  if (ONLY.has('sink')) {
    const sink = spawn('node', [join(root, 'bench/sink.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] })
    cleanups.push(() => sink.kill())
    const port = await new Promise((r) => sink.stdout.once('data', (d) => r(Number(String(d).trim()))))
    const sinkEnv = { ...env, OS_AUTH_URL: `http://127.0.0.1:${port}/v3`, OS_REGION_NAME: 'RegionOne' }
    delete sinkEnv.OS_CLOUD
    for (let r = 0; r < RUNS; r++) {
      log(`sink round ${r + 1}/${RUNS} (load ${load().toFixed(2)})`)
      const steps = clis.map(([label, cli]) => () => {
        const ours = timed('node', [cli, ...upArgs(`sink-${label}`)], { env: sinkEnv })
        const j = JSON.parse(ours.stdout)
        if (j.size !== bytes || !j.sha512) throw new Error('sink upload: wrong size or no sha512')
        record(`sink: ${label} CLI upload, sha512 (engine seconds)`, bytes / MiB / j.seconds, ours)
      })
      steps.push(() => {
        const c = timed('curl', [
          '-sS',
          '-f',
          '-o',
          '/dev/null',
          '-X',
          'PUT',
          '-H',
          'Content-Type: application/octet-stream',
          '-T',
          file,
          `http://127.0.0.1:${port}/`,
        ])
        record('sink: curl -T', bytes / MiB / c.seconds, c)
      })
      rotate(r, steps)
    }
  }

  // ---- peak RSS of the CLI uploading and downloading N MiB
  if (ONLY.has('rss')) {
    for (const mib of RSS) {
      const f = mib === SIZE ? file : fileOf(mib, `rss-${mib}.raw`)
      for (const [label, cli] of clis) {
        log(`peak RSS, ${label}, ${mib} MiB upload + download (load ${load().toFixed(2)})`)
        const peak = (args) => {
          const r = spawnSync('/usr/bin/time', ['-v', 'node', cli, ...args], { env, encoding: 'utf8', maxBuffer: 64 * MiB })
          if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`)
          return { kb: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN), out: JSON.parse(r.stdout) }
        }
        const up = peak(['image', 'upload', f, '--name', `bench-rss-${mib}`, '--disk-format', 'raw', '--json', '--no-progress'])
        created.push(up.out.id)
        const dl = join(work, 'rss-dl.raw')
        const down = peak(['image', 'download', up.out.id, '--file', dl, '--json', '--no-progress'])
        rmSync(dl, { force: true })
        ;(rss[label] ??= {})[`${mib} MiB`] = {
          upload: Math.round(up.kb / 1024),
          download: Math.round(down.kb / 1024),
          uploadMiBs: Math.round(up.out.mibPerSecond),
          downloadMiBs: Math.round(down.out.mibPerSecond),
        }
        await dropImages()
      }
      if (f !== file) rmSync(f, { force: true })
    }
  }

  // ---- D1: copy between two regions: the CLI streamed (and server-side) against curl GET | curl -T - PUT
  const fromRegion = process.env.BENCH_COPY_FROM ?? homeRegion
  const toRegion = process.env.BENCH_COPY_TO ?? 'RegionTwo'
  if (ONLY.has('copy') && !glances[toRegion]) log(`copy: no image endpoint in ${toRegion}: skipped`)
  else if (ONLY.has('copy')) {
    const g1 = glances[fromRegion]
    const g2 = glances[toRegion]
    const copyEnv = { ...env, OS_REGION_NAME: fromRegion }
    const api2 = async (method, path, json) => {
      const res = await fetch(`${g2}${path}`, {
        method,
        headers: { 'x-auth-token': token, 'content-type': 'application/json' },
        ...(json ? { body: JSON.stringify(json) } : {}),
      })
      return res.status === 204 ? null : res.json().catch(() => null)
    }
    const made2 = []
    const drop2 = async () => {
      for (const id of made2.splice(0)) {
        await api2('DELETE', `/v2/images/${id}`).catch(() => {})
      }
    }
    cleanups.push(drop2)
    /** Creates a raw image in the source region and uploads `path` into it with curl (the copy's source; deleted at the end). */
    const curlSourceImage = (name, path) => {
      const img = JSON.parse(
        execFileSync(
          'curl',
          [
            '-sS',
            '-H',
            `X-Auth-Token: ${token}`,
            '-H',
            'Content-Type: application/json',
            '-d',
            JSON.stringify({ name, disk_format: 'raw', container_format: 'bare' }),
            `${g1}/v2/images`,
          ],
          { encoding: 'utf8' },
        ),
      )
      created.push(img.id)
      execFileSync('curl', [
        '-sS',
        '-f',
        '-o',
        '/dev/null',
        '-X',
        'PUT',
        '-H',
        `X-Auth-Token: ${token}`,
        '-H',
        'Content-Type: application/octet-stream',
        '-T',
        path,
        `${g1}/v2/images/${img.id}/file`,
      ])
      return img
    }
    // the source image, uploaded once by curl
    const src = curlSourceImage('bench-copy-src', file)
    const copyOnce =
      (method, key, cli = CLI) =>
      () => {
        const t = timed('node', [cli, 'image', 'copy', src.id, '--to-region', toRegion, '--method', method, '--json', '--no-progress'], { env: copyEnv })
        const j = JSON.parse(t.stdout)
        const item = j.summary.items[0]
        if (item.outcome !== 'done') throw new Error(`copy ${method}: ${item.outcome} ${item.reason ?? ''} ${item.error?.message ?? ''}`)
        made2.push(item.targetImageId)
        record(`copy ${key} (CLI wall clock, verified)`, bytes / MiB / t.seconds, t)
        record(`copy ${key} (engine seconds)`, bytes / MiB / item.seconds)
        if (item.transferSeconds) record(`copy ${key} (transfer: first byte request to verified)`, bytes / MiB / item.transferSeconds)
      }
    const pipe = () => {
      const img = JSON.parse(
        execFileSync(
          'curl',
          [
            '-sS',
            '-H',
            `X-Auth-Token: ${token}`,
            '-H',
            'Content-Type: application/json',
            '-d',
            JSON.stringify({ name: 'bench-copy-pipe', disk_format: 'raw', container_format: 'bare' }),
            `${g2}/v2/images`,
          ],
          { encoding: 'utf8' },
        ),
      )
      made2.push(img.id)
      const script = `set -o pipefail; curl -sS -f -H "X-Auth-Token: $1" "$2" | curl -sS -f -o /dev/null -X PUT -H "X-Auth-Token: $1" -H 'Content-Type: application/octet-stream' -T - "$3"`
      const c = timed('bash', ['-c', script, 'pipe', token, `${g1}/v2/images/${src.id}/file`, `${g2}/v2/images/${img.id}/file`])
      record('copy curl GET | curl -T - PUT (unverified)', bytes / MiB / c.seconds, c)
    }
    // the same pipe as the CLI's wall clock counts its work (the upload's curl flow, issue 16): a new token, the target
    // image created, then GET | PUT. The bare pipe above starts with both done (its token already validated by Glance).
    const pipeFlow = () => {
      const script = `set -e -o pipefail
tok=$(printf '%s' "$BENCH_AUTH_BODY" | curl -sS -f -o /dev/null -D - -H 'Content-Type: application/json' -d @- "$2/auth/tokens" | tr -d '\\r' | sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: //p')
id=$(curl -sS -f -H "X-Auth-Token: $tok" -H 'Content-Type: application/json' -d '{"name":"bench-copy-flow","disk_format":"raw","container_format":"bare"}' "$4/v2/images" | sed -n 's/.*"id": *"\\([0-9a-f-]*\\)".*/\\1/p')
echo "$id"
curl -sS -f -H "X-Auth-Token: $tok" "$3/v2/images/$1/file" | curl -sS -f -o /dev/null -X PUT -H "X-Auth-Token: $tok" -H 'Content-Type: application/octet-stream' -T - "$4/v2/images/$id/file"`
      // the password reaches curl on its stdin (never on a command line)
      const c = timed('bash', ['-c', script, 'flow', src.id, env.OS_AUTH_URL.replace(/\/$/, ''), g1, g2], {
        env: { ...process.env, BENCH_AUTH_BODY: JSON.stringify(passwordAuth()) },
      })
      made2.push(c.stdout.trim())
      record('copy curl flow: token + create + GET | PUT (unverified)', bytes / MiB / c.seconds, c)
    }
    const methods = await fetch(`${g2}/v2/info/import`, { headers: { 'x-auth-token': token } })
      .then((r) => r.json())
      .then((j) => j['import-methods']?.value ?? [])
      .catch(() => [])
    for (let r = 0; r < COPY_RUNS; r++) {
      log(`copy round ${r + 1}/${COPY_RUNS} ${fromRegion} -> ${toRegion} (load ${load().toFixed(2)})`)
      // each copy starts from an empty target (a copy already there would be skipped)
      const steps = [
        withGlanceCpu('copy streamed', toRegion, copyOnce('stream', 'glance-desktop streamed')),
        ...(BASE_CLI ? [copyOnce('stream', 'baseline streamed', BASE_CLI)] : []),
        withGlanceCpu('copy pipe', toRegion, pipe),
        pipeFlow,
        ...(methods.includes('glance-download') ? [copyOnce('server', 'glance-desktop server-side (glance-download)')] : []),
      ].map((f) => () => {
        f()
        return drop2()
      })
      for (let i = 0; i < steps.length; i++) await steps[(i + r) % steps.length]()
    }
    // peak RSS of a streamed copy, flat from 1 to 4 GiB (BENCH_ONLY=copy,copy-rss: without the upload/download RSS rounds)
    if (ONLY.has('rss') || ONLY.has('copy-rss')) {
      for (const mib of RSS) {
        const f = mib === SIZE ? file : fileOf(mib, `copy-rss-${mib}.raw`)
        const s2 = curlSourceImage(`bench-copy-rss-${mib}`, f)
        if (f !== file) rmSync(f, { force: true })
        log(`peak RSS, streamed copy of ${mib} MiB (load ${load().toFixed(2)})`)
        const r = spawnSync(
          '/usr/bin/time',
          ['-v', 'node', CLI, 'image', 'copy', s2.id, '--to-region', toRegion, '--method', 'stream', '--json', '--no-progress'],
          { env: copyEnv, encoding: 'utf8', maxBuffer: 64 * MiB },
        )
        if (r.status !== 0) throw new Error(`copy RSS ${mib}: ${r.stderr}`)
        const item = JSON.parse(r.stdout).summary.items[0]
        made2.push(item.targetImageId)
        ;(rss['glance-desktop copy'] ??= {})[`${mib} MiB`] = {
          copy: Math.round(Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024),
          copyMiBs: Math.round(mib / item.seconds),
        }
        await drop2()
      }
    }
  }

  // ---- issue 16: CLI start-up: node's own (`node -e 0`), `--help` (the entry alone; older builds have no --version),
  // and a download up to its first request: OS_AUTH_URL points at a listener here that notes when the login's
  // connection arrives (from the spawn) and closes it (the CLI then fails with NETWORK and exits). Alternating, medians
  // of BENCH_STARTUP_RUNS (15).
  if (ONLY.has('startup')) {
    let accepted = null
    const first = createServer((sock) => {
      accepted ??= performance.now()
      sock.destroy()
    })
    await new Promise((r) => first.listen(0, '127.0.0.1', r))
    cleanups.push(() => first.close())
    const firstEnv = { ...env, OS_AUTH_URL: `http://127.0.0.1:${first.address().port}/v3` }
    delete firstEnv.OS_CLOUD
    const n = Number(process.env.BENCH_STARTUP_RUNS ?? 15)
    const run =
      (key, args, e = env) =>
      async () => {
        const tf = join(work, 'time.txt')
        accepted = null
        const t0 = performance.now()
        const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', tf, 'node', ...args], { env: e, stdio: ['ignore', 'ignore', 'pipe'] })
        let err = ''
        child.stderr.on('data', (d) => (err += d))
        const status = await new Promise((r) => child.on('close', r))
        const ms = performance.now() - t0
        const toFirst = key.includes('first request')
        if (toFirst ? accepted === null || !/NETWORK/.test(err) : status !== 0) throw new Error(`startup ${key}: ${err || status}`)
        const [u, sy] = readFileSync(tf, 'utf8').trim().split('\n').at(-1).split(' ').map(Number)
        const v = (startup[key] ??= { ms: [], cpuMs: [] })
        v.ms.push(toFirst ? accepted - t0 : ms)
        v.cpuMs.push((u + sy) * 1000)
      }
    log(`start-up, ${n} rounds (load ${load().toFixed(2)})`)
    for (let r = 0; r < n; r++) {
      const fns = [
        run('node -e 0 (whole process)', ['-e', '0']),
        ...clis.flatMap(([label, cli]) => [
          run(`${label} --help (whole process)`, [cli, '--help']),
          run(`${label} image download: spawn to the first request`, [cli, 'image', 'download', 'none', '--file', join(work, 'never.raw')], firstEnv),
        ]),
      ]
      for (let i = 0; i < fns.length; i++) await fns[(i + r) % fns.length]()
    }
  }

  // ---- the renderer benchmark (bench/ui.mjs, owned elsewhere), run against the same cloud
  const ui = join(root, 'bench/ui.mjs')
  if (ONLY.has('ui') && existsSync(ui)) {
    log('running bench/ui.mjs')
    const r = spawnSync('node', [ui], { encoding: 'utf8', env, maxBuffer: 64 * MiB })
    uiOut = `${r.stdout ?? ''}${r.status !== 0 ? `\n(bench/ui.mjs exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' / ')})` : ''}`
  }
} catch (e) {
  failed = e
} finally {
  for (const c of cleanups.reverse()) {
    try {
      await c()
    } catch {
      /* best effort */
    }
  }
  rmSync(work, { recursive: true, force: true })
}

const med = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]))
const ratio = (a, b) => (med[a] && med[b] ? (med[a] / med[b]).toFixed(2) : 'n/a')
const glanceCpuOf = (k) =>
  glanceCpuPerGiB[k]
    ? `${median(glanceCpuPerGiB[k]).toFixed(2)} (${glanceCpuPerGiB[k].map((x) => x.toFixed(1)).join(', ')})`
    : "n/a (not the bench's own cloud)"
const cpuOf = (k) => (cpuPerGiB[k] ? `${median(cpuPerGiB[k]).toFixed(2)}` : 'n/a')
const lines = [
  `${new Date().toISOString()}  ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; cloud: ${cloudNote}`,
  `size ${SIZE} MiB, ${RUNS} run(s) each (the copy: ${COPY_RUNS}), order rotating per round; medians in MiB/s (runs; 1-min load average at each run; median CPU seconds per GiB of the whole command, user+sys, all threads)`,
  ...Object.entries(med).map(
    ([k, v]) =>
      `  ${k.padEnd(60)} ${v.toFixed(0).padStart(6)}   (${results[k].map((x) => x.toFixed(0)).join(', ')}; load ${loads[k].map((x) => x.toFixed(1)).join(', ')})${cpuPerGiB[k] ? `  cpu ${median(cpuPerGiB[k]).toFixed(2)} s/GiB` : ''}`,
  ),
  'ratios: CLI wall clock [engine seconds] {transfer: the data request to verified, as curl is timed}:',
  ...[['glance-desktop', 'glance-desktop'], ...(BASE_CLI ? [['baseline', 'baseline']] : [])].flatMap(([l]) => [
    `  upload   ${l} / curl -T          ${ratio(`upload ${l} (CLI wall clock)`, 'upload curl -T')} [${ratio(`upload ${l} (engine seconds)`, 'upload curl -T')}] {${ratio(`upload ${l} (transfer: PUT to verified)`, 'upload curl -T')}}`,
    `  upload   ${l} / curl flow (token + create + PUT)  ${ratio(`upload ${l} (CLI wall clock)`, 'upload curl flow: token + create + curl -T')}  (goal >= 0.95)  cpu ${cpuOf(`upload ${l} (CLI wall clock)`)} vs ${cpuOf('upload curl flow: token + create + curl -T')}`,
    `  upload   ${l} / openstack        ${ratio(`upload ${l} (CLI wall clock)`, 'upload openstack image create --file')}`,
    `  download ${l} / curl             ${ratio(`download ${l} (CLI wall clock, verified)`, 'download curl -o file')} [${ratio(`download ${l} (engine seconds)`, 'download curl -o file')}] {${ratio(`download ${l} (transfer: GET to verified)`, 'download curl -o file')}}`,
    `  download ${l} / openstack        ${ratio(`download ${l} (CLI wall clock, verified)`, 'download openstack image save')}`,
    `  sink     ${l} / curl             ${ratio(`sink: ${l} CLI upload, sha512 (engine seconds)`, 'sink: curl -T')}`,
  ]),
  // D1: beside the ratios against bare curl and openstack, the ratios against the peers that verify too
  'ratios against the verifying peers (CLI wall clock [engine seconds] {transfer}; CPU s/GiB ours vs theirs):',
  `  upload   glance-desktop / curl -T + sha512sum + md5sum     ${ratio('upload glance-desktop (CLI wall clock)', 'upload peer: curl -T + sha512sum + md5sum')} [${ratio('upload glance-desktop (engine seconds)', 'upload peer: curl -T + sha512sum + md5sum')}]  cpu ${cpuOf('upload glance-desktop (CLI wall clock)')} vs ${cpuOf('upload peer: curl -T + sha512sum + md5sum')} (curl alone ${cpuOf('upload curl -T')}, openstack ${cpuOf('upload openstack image create --file')})`,
  `  the receiving Glance (one Python process) spent, CPU s/GiB (medians; per run): glance-desktop ${glanceCpuOf('upload glance-desktop')}, curl -T ${glanceCpuOf('upload curl -T')}`,
  `  download glance-desktop / curl | tee file | sha512sum  ${ratio('download glance-desktop (CLI wall clock, verified)', 'download peer: curl | tee file | sha512sum')} [${ratio('download glance-desktop (engine seconds)', 'download peer: curl | tee file | sha512sum')}] {${ratio('download glance-desktop (transfer: GET to verified)', 'download peer: curl | tee file | sha512sum')}}  (goal >= 1.1)  cpu ${cpuOf('download glance-desktop (CLI wall clock, verified)')} vs ${cpuOf('download peer: curl | tee file | sha512sum')} (curl alone ${cpuOf('download curl -o file')}, openstack ${cpuOf('download openstack image save')})`,
  'copy between regions (goal: streamed >= 0.9x the unverified pipe, with md5+sha512 on the way):',
  `  copy     streamed / curl GET | curl -T - PUT           ${ratio('copy glance-desktop streamed (CLI wall clock, verified)', 'copy curl GET | curl -T - PUT (unverified)')} [${ratio('copy glance-desktop streamed (engine seconds)', 'copy curl GET | curl -T - PUT (unverified)')}] {${ratio('copy glance-desktop streamed (transfer: first byte request to verified)', 'copy curl GET | curl -T - PUT (unverified)')}}  cpu ${cpuOf('copy glance-desktop streamed (CLI wall clock, verified)')} vs ${cpuOf('copy curl GET | curl -T - PUT (unverified)')}`,
  `  copy     streamed / curl flow (token + create + pipe)  ${ratio('copy glance-desktop streamed (CLI wall clock, verified)', 'copy curl flow: token + create + GET | PUT (unverified)')}  cpu ${cpuOf('copy glance-desktop streamed (CLI wall clock, verified)')} vs ${cpuOf('copy curl flow: token + create + GET | PUT (unverified)')} (the CLI's wall clock counts its login and create too)`,
  `  the target Glance (one Python process) spent, CPU s/GiB (medians; per run): streamed ${glanceCpuOf('copy streamed')}, pipe ${glanceCpuOf('copy pipe')} (at C s/GiB it takes at most 1024/C MiB/s, whoever sends)`,
  `  copy     server-side (glance-download) / the pipe      ${ratio('copy glance-desktop server-side (glance-download) (CLI wall clock, verified)', 'copy curl GET | curl -T - PUT (unverified)')}  cpu ${cpuOf('copy glance-desktop server-side (glance-download) (CLI wall clock, verified)')} (the desk moves no bytes)`,
  `hashing ceiling (one core, this run): md5 ${ceiling.md5.toFixed(0)}, sha512 ${ceiling.sha512.toFixed(0)}, md5+sha512 in one thread ${ceiling.both.toFixed(0)} MiB/s; so at most:`,
  `  download / curl  <= ${med['download curl -o file'] ? (ceiling.sha512 / med['download curl -o file']).toFixed(2) : 'n/a'} (sha512 on one core, with nothing else on the machine)`,
  `  sink / curl      <= ${med['sink: curl -T'] ? (ceiling.sha512 / med['sink: curl -T']).toFixed(2) : 'n/a'} (an upload hashes sha512 alone, on one thread)`,
  `  copy / pipe      <= ${med['copy curl GET | curl -T - PUT (unverified)'] ? (ceiling.both / med['copy curl GET | curl -T - PUT (unverified)']).toFixed(2) : 'n/a'} (md5+sha512 on the copy's one thread, with nothing else on the machine)`,
  `peak RSS of the CLI (MiB) and its MiB/s in that run: ${JSON.stringify(rss)}`,
  ...(Object.keys(startup).length
    ? [
        'CLI start-up (goal: < 150 ms to the first request), wall ms and CPU ms of the whole process, medians (min-max):',
        ...Object.entries(startup).map(
          ([k, v]) =>
            `  ${k.padEnd(60)} ${median(v.ms).toFixed(0).padStart(5)} ms (${Math.min(...v.ms).toFixed(0)}-${Math.max(...v.ms).toFixed(0)})  cpu ${median(v.cpuMs).toFixed(0)} ms`,
        ),
      ]
    : []),
  `load average now: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
  ...(uiOut ? ['ui (bench/ui.mjs):', uiOut.trim()] : []),
]
console.log(lines.join('\n'))
if (process.env.BENCH_JSON)
  console.log(
    JSON.stringify({
      size: SIZE,
      runs: RUNS,
      copyRuns: COPY_RUNS,
      medians: med,
      rss,
      startup,
      raw: results,
      loads,
      cpuPerGiB,
      glanceCpuPerGiB,
      hashCeiling: ceiling,
    }),
  )
if (failed) {
  console.error('[bench] FAILED:', failed instanceof Error ? failed.message : failed)
  process.exitCode = 1
}
