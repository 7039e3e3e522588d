// The UI benchmark's own loopback cloud: test/cloud/up.sh on other ports (never the shared dev cloud), a project and a
// member user made through Keystone's API, and N metadata-only images in that project (kept across runs: the state
// dir is a cache; a run tops it up when it holds fewer).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const BENCH_PROJECT = 'bench-ui'
export const BENCH_USER = 'bench-ui'
export const BENCH_PASSWORD = 'bench-ui-secret'
const IMAGE_PREFIX = 'bu-'

const PORTS = { KEYSTONE_PORT: '45000', GLANCE_PORT: '49292', GLANCE2_PORT: '49293', CINDER_PORT: '48776' }

function openrc(file) {
  const env = {}
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^export (OS_\w+)=(.*)$/.exec(line)
    if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, '')
  }
  return env
}

/** Starts (or reuses) the bench cloud in `state`; returns its admin OS_* env. */
export function cloudUp(root, state, log) {
  const env = {
    ...process.env,
    ...PORTS,
    ENABLE_REGION2: '0',
    ENABLE_CINDER: '0',
    // Keystone's cache on, as production Keystones run (test/cloud/README.md); BENCH_KEYSTONE_CACHE=0: off
    KEYSTONE_CACHE: process.env.BENCH_KEYSTONE_CACHE === '0' ? '0' : '1',
    ...Object.fromEntries(
      Object.keys(PORTS)
        .filter((k) => process.env[`BENCH_UI_${k}`])
        .map((k) => [k, process.env[`BENCH_UI_${k}`]]),
    ),
  }
  delete env.CLOUD_PROFILE
  delete env.CLOUD_PORT_OFFSET
  const t0 = performance.now()
  log(
    `bench cloud: test/cloud/up.sh ${state} (keystone :${env.KEYSTONE_PORT}${env.KEYSTONE_CACHE === '1' ? ' cached' : ' uncached'}, glance :${env.GLANCE_PORT}, no Cinder, no RegionTwo)`,
  )
  execFileSync('bash', [join(root, 'test/cloud/up.sh'), state], { stdio: ['ignore', 'ignore', 'inherit'], env })
  log(`bench cloud up in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  return openrc(join(state, 'admin-openrc.sh'))
}

/** Whether the services up.sh recorded in `state` are alive (so a run leaves a cloud it did not start running). */
export function cloudRunning(state) {
  const run = join(state, 'run')
  if (!existsSync(run)) return false
  const alive = (name) => {
    try {
      process.kill(Number(readFileSync(join(run, `${name}.pid`), 'utf8').trim()), 0)
      return true
    } catch {
      return false
    }
  }
  return alive('keystone') && alive('glance1')
}

export function cloudDown(root, state) {
  if (existsSync(join(state, 'run'))) execFileSync('bash', [join(root, 'test/cloud/down.sh'), state], { stdio: 'ignore' })
}

async function token(authUrl, user, password, project) {
  const body = {
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password } } },
      scope: { project: { name: project, domain: { id: 'default' } } },
    },
  }
  const res = await fetch(`${authUrl.replace(/\/$/, '')}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (res.status !== 201) throw new Error(`Keystone auth as ${user}: HTTP ${res.status} ${await res.text()}`)
  const j = await res.json()
  const ep = j.token.catalog.find((s) => s.type === 'image')?.endpoints.find((e) => e.interface === 'public')
  return { token: res.headers.get('x-subject-token'), glance: ep?.url.replace(/\/$/, ''), projectId: j.token.project.id }
}

/** Creates (idempotently) the bench project and its member user; returns the user's OS_* env. */
export async function ensureBenchUser(admin, log) {
  const ks = admin.OS_AUTH_URL.replace(/\/$/, '')
  const { token: t } = await token(ks, admin.OS_USERNAME, admin.OS_PASSWORD, admin.OS_PROJECT_NAME)
  const call = async (method, path, json) => {
    const res = await fetch(`${ks}${path}`, {
      method,
      headers: { 'x-auth-token': t, 'content-type': 'application/json' },
      ...(json ? { body: JSON.stringify(json) } : {}),
    })
    if (res.status >= 400) throw new Error(`Keystone ${method} ${path}: HTTP ${res.status} ${await res.text()}`)
    return res.status === 204 ? null : res.json()
  }
  let project = (await call('GET', `/projects?name=${BENCH_PROJECT}`)).projects[0]
  if (!project) {
    project = (await call('POST', '/projects', { project: { name: BENCH_PROJECT, domain_id: 'default', description: 'UI benchmark (10,000 images)' } })).project
    log(`created project ${BENCH_PROJECT} ${project.id}`)
  }
  let user = (await call('GET', `/users?name=${BENCH_USER}`)).users[0]
  if (!user) {
    user = (await call('POST', '/users', { user: { name: BENCH_USER, domain_id: 'default', password: BENCH_PASSWORD, default_project_id: project.id } })).user
    log(`created user ${BENCH_USER} ${user.id}`)
  }
  const member = (await call('GET', '/roles?name=member')).roles[0]
  await call('PUT', `/projects/${project.id}/users/${user.id}/roles/${member.id}`)
  return {
    OS_AUTH_URL: admin.OS_AUTH_URL,
    OS_USERNAME: BENCH_USER,
    OS_PASSWORD: BENCH_PASSWORD,
    OS_PROJECT_NAME: BENCH_PROJECT,
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: admin.OS_REGION_NAME ?? 'RegionOne',
    OS_INTERFACE: 'public',
    OS_IDENTITY_API_VERSION: '3',
  }
}

/** A Glance client for the bench user. */
export async function glanceFor(env) {
  const { token: t, glance, projectId } = await token(env.OS_AUTH_URL, env.OS_USERNAME, env.OS_PASSWORD, env.OS_PROJECT_NAME)
  const api = async (method, path, json, extraHeaders = {}) => {
    const res = await fetch(`${glance}${path}`, {
      method,
      headers: { 'x-auth-token': t, 'content-type': 'application/json', accept: 'application/json', ...extraHeaders },
      ...(json ? { body: JSON.stringify(json) } : {}),
    })
    if (res.status >= 400) throw new Error(`Glance ${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`)
    return res.status === 204 ? null : res.json()
  }
  return { api, glance, projectId, token: t }
}

/** Every image of the project (id, name, size), following `next`. */
export async function listAll(g, filter = '') {
  const out = []
  let path = `/v2/images?limit=1000&owner=${g.projectId}${filter}`
  for (;;) {
    const page = await g.api('GET', path)
    for (const im of page.images) out.push({ id: im.id, name: im.name, size: im.size, status: im.status })
    if (!page.next || page.images.length === 0) break
    path = page.next
  }
  return out
}

const DISTROS = [
  ['ubuntu', ['18.04', '20.04', '22.04', '24.04'], 'ubuntu'],
  ['debian', ['10', '11', '12', '13'], 'debian'],
  ['centos', ['7.9', '8-stream', '9-stream'], 'centos'],
  ['rocky', ['8.9', '9.3', '9.4'], 'rhel'],
  ['fedora', ['38', '39', '40'], 'fedora'],
  ['windows-server', ['2016', '2019', '2022'], 'windows'],
  ['freebsd', ['13.2', '14.0'], 'freebsd'],
  ['opensuse-leap', ['15.5', '15.6'], 'suse'],
  ['rhel', ['8.8', '9.2'], 'rhel'],
  ['archlinux', ['2024.05'], 'arch'],
  ['flatcar', ['3815.2'], 'coreos'],
  ['oraclelinux', ['8.9', '9.3'], 'oracle'],
  ['kylin', ['v10-sp3'], 'kylin'],
]
const FORMATS = ['qcow2', 'qcow2', 'qcow2', 'raw', 'raw', 'iso', 'vmdk', 'vhd']
const VARIANTS = ['minimal', 'cloud', 'docker', 'gpu', 'hardened', 'k8s-node', 'db', 'web', 'ci-runner', 'desktop']
const TAGS = ['prod', 'staging', 'dev', 'golden', 'cis', 'deprecated', 'team-a', 'team-b', 'nightly', 'lts']

/** The POST body of image number i (deterministic). */
export function imageBody(i) {
  const [distro, versions, osDistro] = DISTROS[i % DISTROS.length]
  const version = versions[Math.floor(i / DISTROS.length) % versions.length]
  const arch = i % 7 === 3 ? 'aarch64' : 'x86_64'
  const variant = VARIANTS[Math.floor(i / 3) % VARIANTS.length]
  const fmt = FORMATS[i % FORMATS.length]
  const tags = [TAGS[i % TAGS.length], ...(i % 3 === 0 ? [TAGS[(i * 7 + 3) % TAGS.length]] : [])]
  return {
    name: `${IMAGE_PREFIX}${distro}-${version}-${arch}-${variant}-${String(i).padStart(5, '0')}`,
    disk_format: fmt,
    container_format: 'bare',
    visibility: 'shared',
    os_distro: osDistro,
    os_version: version,
    architecture: arch,
    hypervisor_type: i % 11 === 0 ? 'baremetal' : 'qemu',
    min_disk: [0, 10, 20, 40][i % 4],
    min_ram: [0, 1024, 2048][i % 3],
    tags: [...new Set(tags)],
    description: `bench image ${i}: ${distro} ${version} ${variant}`,
  }
}

/** Makes sure the project holds at least `n` bench images (creates what is missing, concurrency `conc`). */
export async function seedImages(g, n, conc, log) {
  const existing = await listAll(g)
  const have = new Set(existing.filter((im) => im.name?.startsWith(IMAGE_PREFIX)).map((im) => im.name))
  const todo = []
  for (let i = 0; i < n; i++) {
    const body = imageBody(i)
    if (!have.has(body.name)) todo.push(body)
  }
  log(`bench images: ${have.size} present, ${todo.length} to create (target ${n}), concurrency ${conc}`)
  if (!todo.length) return { total: existing.length, created: 0, seconds: 0 }
  const t0 = performance.now()
  let done = 0
  let next = 0
  let lastLog = t0
  const worker = async () => {
    while (next < todo.length) {
      const body = todo[next++]
      for (let attempt = 0; ; attempt++) {
        try {
          await g.api('POST', '/v2/images', body)
          break
        } catch (e) {
          if (attempt >= 3) throw e
          await new Promise((r) => setTimeout(r, 500 * (attempt + 1)))
        }
      }
      done++
      const now = performance.now()
      if (now - lastLog > 5000 || done === todo.length) {
        lastLog = now
        const rate = done / ((now - t0) / 1000)
        log(`  created ${done}/${todo.length} (${rate.toFixed(0)} images/s, ~${Math.round((todo.length - done) / rate)} s left)`)
      }
    }
  }
  await Promise.all(Array.from({ length: conc }, worker))
  const seconds = (performance.now() - t0) / 1000
  return { total: existing.length + done, created: done, seconds }
}
