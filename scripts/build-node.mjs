// Builds what runs outside Electron: the headless CLI (out/cli/index.js) and the browser harness
// (out/web/harness.js, plain Node) plus the harness's browser bridge (out/web/bridge.js, defines window.api).
import { build } from 'vite'
import { resolve } from 'node:path'
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'

const root = resolve(import.meta.dirname, '..')
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'))
const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]
const external = (id) => id.startsWith('node:') || builtinModules.includes(id) || deps.some((d) => id === d || id.startsWith(`${d}/`))

// The browser harness: everything it serves, statically imported (one process that runs for a session).
await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out',
    emptyOutDir: false,
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: { 'web/harness': resolve(root, 'web/harness.ts') },
      external,
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'node-chunks/[name]-[hash].js' },
    },
  },
})

// The CLI, a build of its own (issue 16: start-up): its own chunks (never the harness's), one per command's lazy
// import() in cli/index.ts, so a command loads its code and nothing else. The npm dependencies it uses (zod, yaml,
// vue-i18n for the queue's notices) are bundled into those chunks too: no node_modules lookups at start-up and one
// file to compile per chunk instead of a package's tree of modules. CommonJS, not ES modules: node 20 loads a CommonJS
// chunk with one synchronous require where an ES module goes through the async loader (resolve, link, evaluate):
// 20 ms less to the first request here (bench/RESULTS.md). out/cli/package.json says so to node ("type": "commonjs"
// under the project's "module"), so the files keep their .js names.
rmSync(resolve(root, 'out/cli'), { recursive: true, force: true })
await build({
  root,
  configFile: false,
  logLevel: 'warn',
  define: { __GD_VERSION__: JSON.stringify(pkg.version) },
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out',
    emptyOutDir: false,
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: { 'cli/index': resolve(root, 'cli/index.ts') },
      external: (id) => id.startsWith('node:') || builtinModules.includes(id) || id === 'electron',
      output: { format: 'cjs', entryFileNames: '[name].js', chunkFileNames: 'cli/chunks/[name]-[hash].js' },
    },
  },
  ssr: { noExternal: true },
})
writeFileSync(resolve(root, 'out/cli/package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`)

await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    target: 'es2022',
    outDir: 'out/web',
    emptyOutDir: false,
    minify: true,
    lib: { entry: resolve(root, 'web/bridge.ts'), formats: ['es'], fileName: () => 'bridge.js' },
  },
})

const cli = resolve(root, 'out/cli/index.js')
const src = readFileSync(cli, 'utf8')
if (!src.startsWith('#!')) writeFileSync(cli, `#!/usr/bin/env node\n${src}`)
chmodSync(cli, 0o755)
console.log('built out/cli/index.js, out/web/harness.js, out/web/bridge.js')
