import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The console is served by the registry itself under a strict Content-Security-Policy (script-src 'self', no
// inline code or styles): one module script and one stylesheet from /assets/, hashed; nothing inlined as data.
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
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
