import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Writes a brotli (.br) and a gzip (.gz) copy next to each hashed script and stylesheet: the server sends the one
 * the browser accepts, compressed once here at the highest levels rather than on every request.
 */
function precompress(): Plugin {
  return {
    name: 'mreg-precompress',
    apply: 'build',
    writeBundle(options) {
      const assets = join(options.dir ?? join(root, 'dist'), 'assets');
      for (const file of readdirSync(assets).filter((f) => /\.(js|css|svg)$/.test(f))) {
        const data = readFileSync(join(assets, file));
        writeFileSync(join(assets, `${file}.br`), brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
        writeFileSync(join(assets, `${file}.gz`), gzipSync(data, { level: 9 }));
      }
    },
  };
}

// The console is served by the registry itself under a strict Content-Security-Policy (script-src 'self', no
// inline code or styles): one module script and one stylesheet from /assets/, hashed; nothing inlined as data.
export default defineConfig({
  root,
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
  // `vite` (dev) proxies the API to a running registry: MREG_URL or the default port.
  server: { proxy: { '/api': process.env['MREG_URL'] ?? 'http://127.0.0.1:8080' } },
});
