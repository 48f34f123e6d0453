import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import tailwindcss from '@tailwindcss/vite'

// The portal is built into pb_public/portal, which the Go binary embeds and
// serves. The output folder is not emptied by Vite (it keeps .gitkeep so the
// Go embed compiles on a clean clone); `npm run build` clears assets/ itself.
// Two pages share the assets: the customer portal (index.html) and the
// staff console (staff/index.html, served at /staff/).
export default defineConfig({
  plugins: [vue(), tailwindcss()],
  build: {
    outDir: '../pb_public/portal',
    emptyOutDir: false,
    target: 'es2022',
    reportCompressedSize: true,
    chunkSizeWarningLimit: 200,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        staff: fileURLToPath(new URL('./staff/index.html', import.meta.url)),
      },
    },
  },
  server: {
    // `npm run dev` proxies the API to a `make run` server.
    proxy: { '/api': 'http://127.0.0.1:8090' },
  },
})
