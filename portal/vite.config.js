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
  // Every component uses <script setup>: Vue's Options API is dead weight.
  define: { __VUE_OPTIONS_API__: 'false' },
  build: {
    outDir: '../pb_public/portal',
    emptyOutDir: false,
    target: 'es2022',
    reportCompressedSize: true,
    // The signed-in portal is one chunk by design (see output below).
    chunkSizeWarningLimit: 300,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        staff: fileURLToPath(new URL('./staff/index.html', import.meta.url)),
      },
      // Chunks by what a visitor needs, not one per file: gzip compresses
      // the repeated utility classes of many pages far better in one file,
      // and a signed-in customer then moves between pages without loading.
      // Public pages load vendor + shared + their own page; the signed-in
      // portal is one chunk fetched at sign-in. Markdown rendering has its
      // own chunk, loaded only by pages that show Markdown (and left out of
      // the portal's size budget: e2e/portal_bundle_test.go).
      output: {
        codeSplitting: {
          groups: [
            { name: 'vendor', test: /node_modules[\\/](@vue|vue|vue-router|pocketbase)[\\/]/ },
            { name: 'markdown', test: /node_modules[\\/](markdown-it|mdurl|linkify-it|uc\.micro|entities|punycode\.js|dompurify)[\\/]/ },
            { name: 'shared', test: /src[\\/](lib|components)[\\/]/, minShareCount: 2 },
            { name: 'public', test: /src[\\/](pages|components)[\\/](public|auth)[\\/]/ },
            { name: 'signedin', test: /src[\\/](pages|components)[\\/](portal|billing|account|support)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    // `npm run dev` proxies the API to a `make run` server.
    proxy: { '/api': 'http://127.0.0.1:8090' },
  },
})
