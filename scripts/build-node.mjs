// Builds what runs outside Electron: the headless CLI (out/cli/index.js) and the browser harness
// (out/web/harness.js, plain Node) plus the harness's browser bridge (out/web/bridge.js, defines window.api).
import { build } from 'vite'
import { resolve } from 'node:path'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'

const root = resolve(import.meta.dirname, '..')
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'))
const deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]
const external = (id) => id.startsWith('node:') || builtinModules.includes(id) || deps.some((d) => id === d || id.startsWith(`${d}/`))

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
      input: { 'cli/index': resolve(root, 'cli/index.ts'), 'web/harness': resolve(root, 'web/harness.ts') },
      external,
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'node-chunks/[name]-[hash].js' },
    },
  },
})

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
