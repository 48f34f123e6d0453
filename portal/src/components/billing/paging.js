// Paging of the billing lists: the page number lives in the URL (?page=2)
// so Back and a reload keep it.
import { computed } from 'vue'
import { useRoute, useRouter } from 'vue-router'

export const PER_PAGE = 20

// usePageQuery is the current page (1 when absent or invalid) and go(p),
// which moves to page p without a history entry.
export function usePageQuery() {
  const route = useRoute()
  const router = useRouter()
  const page = computed(() => Math.max(1, Number.parseInt(route.query.page, 10) || 1))
  function go(p) {
    router.replace({ query: { ...route.query, page: p > 1 ? String(p) : undefined } })
  }
  return { page, go }
}
