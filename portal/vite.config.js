import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import tailwindcss from '@tailwindcss/vite'

// The portal is built into pb_public/portal, which the Go binary embeds and
// serves. The output folder is not emptied by Vite (it keeps .gitkeep so the
// Go embed compiles on a clean clone); `npm run build` clears assets/ itself.
export default defineConfig({
  plugins: [vue(), tailwindcss()],
  build: {
    outDir: '../pb_public/portal',
    emptyOutDir: false,
    target: 'es2022',
    reportCompressedSize: true,
    chunkSizeWarningLimit: 200,
  },
  server: {
    // `npm run dev` proxies the API to a `make run` server.
    proxy: { '/api': 'http://127.0.0.1:8090' },
  },
})
