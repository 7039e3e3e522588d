// npm run bench: transfer throughput of the glance-desktop CLI against curl and the openstack CLI on the same file,
// alternating runs, medians; upload to a discard sink against curl; the CLI's peak RSS. See bench/RESULTS.md.
//   BENCH_SIZE_MIB (1024)  BENCH_RUNS (3)  BENCH_RSS_MIB ("1024,4096"; empty to skip)
//   A cloud: OS_* from the environment, else test/cloud/up.sh .bench-cloud (stopped again at the end).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const CLI = join(root, 'out/cli/index.js')
const MiB = 1024 * 1024
const SIZE = Number(process.env.BENCH_SIZE_MIB ?? 1024)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const RSS = (process.env.BENCH_RSS_MIB ?? '1024,4096').split(',').filter(Boolean).map(Number)
const work = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'glance-bench-'))
const cleanups = []
const log = (...a) => console.error('[bench]', ...a)

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
function fileOf(mib, name) {
  const p = join(work, name)
  const fd = openSync(p, 'w')
  const block = randomBytes(MiB)
  for (let i = 0; i < mib; i++) writeSync(fd, block)
  closeSync(fd)
  return p
}
function timed(cmd, args, opts = {}) {
  const t0 = performance.now()
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * MiB, ...opts })
  const seconds = (performance.now() - t0) / 1000
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`)
  return { seconds, stdout: r.stdout }
}

// ---- cloud
let env = { ...process.env }
if (!env.OS_AUTH_URL && !env.OS_CLOUD) {
  const up = join(root, 'test/cloud/up.sh')
  if (!existsSync(up)) throw new Error('no cloud: set OS_* or provide test/cloud/up.sh')
  const state = join(root, '.bench-cloud')
  log('starting the loopback cloud', state)
  execFileSync('bash', [up, state], { stdio: ['ignore', 'ignore', 'inherit'] })
  cleanups.push(() => execFileSync('bash', [join(root, 'test/cloud/down.sh'), state], { stdio: 'ignore' }))
  for (const line of readFileSync(join(state, 'admin-openrc.sh'), 'utf8').split('\n')) {
    const m = /^export (OS_\w+)=(.*)$/.exec(line)
    if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, '')
  }
}
env.OS_IDENTITY_API_VERSION = '3'

async function auth() {
  const body = {
    auth: {
      identity: { methods: ['password'], password: { user: { name: env.OS_USERNAME, domain: { name: env.OS_USER_DOMAIN_NAME ?? 'Default' }, password: env.OS_PASSWORD } } },
      scope: { project: { name: env.OS_PROJECT_NAME, domain: { name: env.OS_PROJECT_DOMAIN_NAME ?? 'Default' } } },
    },
  }
  const res = await fetch(`${env.OS_AUTH_URL.replace(/\/$/, '')}/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const token = res.headers.get('x-subject-token')
  const cat = (await res.json()).token.catalog
  const region = env.OS_REGION_NAME ?? 'RegionOne'
  const ep = cat.find((s) => s.type === 'image').endpoints.find((e) => e.interface === 'public' && e.region === region).url
  return { token, glance: ep.replace(/\/$/, '') }
}
const { token, glance } = await auth()
const created = []
async function api(method, path, json) {
  const res = await fetch(`${glance}${path}`, { method, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, ...(json ? { body: JSON.stringify(json) } : {}) })
  return res.status === 204 ? null : res.json()
}
cleanups.push(async () => {
  for (const id of created) await api('DELETE', `/v2/images/${id}`).catch(() => {})
})

const results = {}
const record = (k, mibs) => (results[k] ??= []).push(mibs)

try {
  log(`creating a ${SIZE} MiB random file in ${work}`)
  const file = fileOf(SIZE, 'bench.raw')
  const bytes = SIZE * MiB
  const hasOsc = spawnSync('openstack', ['--version']).status === 0

  // ---- upload + download to the same Glance, alternating
  let lastId
  for (let r = 0; r < RUNS; r++) {
    log(`upload round ${r + 1}/${RUNS}`)
    const ours = timed('node', [CLI, 'image', 'upload', file, '--name', 'bench-gd', '--disk-format', 'raw', '--json', '--no-progress'], { env })
    const j = JSON.parse(ours.stdout)
    created.push(j.id)
    lastId = j.id
    record('upload glance-desktop (CLI wall clock)', bytes / MiB / ours.seconds)
    record('upload glance-desktop (transfer only)', bytes / MiB / j.seconds)
    const img = await api('POST', '/v2/images', { name: 'bench-curl', disk_format: 'raw', container_format: 'bare' })
    created.push(img.id)
    const c = timed('curl', ['-sS', '-o', '/dev/null', '-X', 'PUT', '-H', `X-Auth-Token: ${token}`, '-H', 'Content-Type: application/octet-stream', '-T', file, `${glance}/v2/images/${img.id}/file`])
    record('upload curl -T', bytes / MiB / c.seconds)
    if (hasOsc) {
      const o = timed('openstack', ['image', 'create', '--disk-format', 'raw', '--container-format', 'bare', '--file', file, 'bench-osc', '-f', 'value', '-c', 'id'], { env })
      created.push(o.stdout.trim())
      record('upload openstack image create --file', bytes / MiB / o.seconds)
    }
  }
  for (let r = 0; r < RUNS; r++) {
    log(`download round ${r + 1}/${RUNS}`)
    const out = join(work, 'dl.raw')
    rmSync(out, { force: true })
    const ours = timed('node', [CLI, 'image', 'download', lastId, '--file', out, '--json', '--no-progress'], { env })
    record('download glance-desktop (CLI wall clock, verified)', bytes / MiB / ours.seconds)
    record('download glance-desktop (transfer only)', bytes / MiB / JSON.parse(ours.stdout).seconds)
    rmSync(out, { force: true })
    const c = timed('curl', ['-sS', '-o', out, '-H', `X-Auth-Token: ${token}`, `${glance}/v2/images/${lastId}/file`])
    record('download curl -o file', bytes / MiB / c.seconds)
    rmSync(out, { force: true })
    if (hasOsc) {
      const o = timed('openstack', ['image', 'save', '--file', out, lastId], { env })
      record('download openstack image save', bytes / MiB / o.seconds)
      rmSync(out, { force: true })
    }
  }

  // ---- the client's own ceiling: a discard sink
  const sink = spawn('node', [join(root, 'bench/sink.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] })
  cleanups.push(() => sink.kill())
  const port = await new Promise((r) => sink.stdout.once('data', (d) => r(Number(String(d).trim()))))
  for (let r = 0; r < RUNS; r++) {
    log(`sink round ${r + 1}/${RUNS}`)
    const ours = timed('node', [join(root, 'bench/sink-client.mjs'), file, `http://127.0.0.1:${port}/`])
    record('sink: engine data path (md5+sha512 on)', bytes / MiB / JSON.parse(ours.stdout).seconds)
    const c = timed('curl', ['-sS', '-o', '/dev/null', '-X', 'PUT', '-T', file, `http://127.0.0.1:${port}/`])
    record('sink: curl -T', bytes / MiB / c.seconds)
  }

  // ---- peak RSS of the CLI uploading N MiB
  const rss = {}
  for (const mib of RSS) {
    log(`peak RSS, ${mib} MiB upload`)
    const f = mib === SIZE ? file : fileOf(mib, `rss-${mib}.raw`)
    const r = spawnSync('/usr/bin/time', ['-v', 'node', CLI, 'image', 'upload', f, '--name', `bench-rss-${mib}`, '--disk-format', 'raw', '--json', '--no-progress'], { env, encoding: 'utf8', maxBuffer: 64 * MiB })
    const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN)
    try {
      created.push(JSON.parse(r.stdout).id)
    } catch {
      /* failed */
    }
    rss[`${mib} MiB`] = Math.round(kb / 1024)
    if (f !== file) rmSync(f, { force: true })
  }

  // ---- UI hook
  const ui = join(root, 'bench/ui.mjs')
  let uiOut = null
  if (existsSync(ui)) {
    log('running bench/ui.mjs')
    uiOut = spawnSync('node', [ui], { encoding: 'utf8', env }).stdout
  }

  const med = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]))
  const ratio = (a, b) => (med[a] && med[b] ? (med[a] / med[b]).toFixed(2) : 'n/a')
  const lines = [
    `size ${SIZE} MiB, ${RUNS} run(s) each, medians in MiB/s`,
    ...Object.entries(med).map(([k, v]) => `  ${k.padEnd(52)} ${v.toFixed(0).padStart(6)}`),
    'ratios:',
    `  upload   glance-desktop / curl -T          ${ratio('upload glance-desktop (CLI wall clock)', 'upload curl -T')} (transfer only ${ratio('upload glance-desktop (transfer only)', 'upload curl -T')})`,
    `  upload   glance-desktop / openstack        ${ratio('upload glance-desktop (CLI wall clock)', 'upload openstack image create --file')}`,
    `  download glance-desktop / curl             ${ratio('download glance-desktop (CLI wall clock, verified)', 'download curl -o file')} (transfer only ${ratio('download glance-desktop (transfer only)', 'download curl -o file')})`,
    `  download glance-desktop / openstack        ${ratio('download glance-desktop (CLI wall clock, verified)', 'download openstack image save')}`,
    `  sink     engine path / curl                ${ratio('sink: engine data path (md5+sha512 on)', 'sink: curl -T')}`,
    `peak RSS of the CLI upload (MiB): ${JSON.stringify(rss)}`,
    ...(uiOut ? ['ui:', uiOut.trim()] : []),
  ]
  console.log(lines.join('\n'))
  if (process.env.BENCH_JSON) console.log(JSON.stringify({ size: SIZE, runs: RUNS, medians: med, rss, raw: results }))
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
