// useWidth follows an element's width, so SVG charts draw in real pixels
// (text stays legible on a phone instead of being scaled down).
import { onBeforeUnmount, onMounted, ref } from 'vue'

export function useWidth(el, fallback = 640) {
  const width = ref(fallback)
  let observer
  onMounted(() => {
    if (!el.value) return
    width.value = el.value.clientWidth || fallback
    if (typeof ResizeObserver === 'function') {
      observer = new ResizeObserver((entries) => {
        const w = Math.round(entries[0]?.contentRect.width || 0)
        if (w > 0) width.value = w
      })
      observer.observe(el.value)
    }
  })
  onBeforeUnmount(() => observer?.disconnect())
  return width
}
