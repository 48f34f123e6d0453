// useAsync runs a loader and exposes its state, so every page shows the
// same loading, error and empty states (see components/AsyncState.vue).
import { ref, shallowRef } from 'vue'

export function useAsync(loader, { immediate = true } = {}) {
  const data = shallowRef(null)
  const loading = ref(false)
  const error = ref(null)
  let seq = 0

  async function reload(...args) {
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const result = await loader(...args)
      if (mine === seq) data.value = result
      return result
    } catch (err) {
      if (mine === seq) error.value = err
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  if (immediate) reload()
  return { data, loading, error, reload }
}
