// Realtime helpers of the portal pages: subscribe to a collection topic for
// as long as the component lives. The API rules decide which records reach
// the customer, so a '*' subscription only ever carries their own.
import { onBeforeUnmount } from 'vue'
import { pb } from '../../lib/pb.js'
import { useAsync } from '../../lib/useAsync.js'

// subscribe starts a subscription now and returns its stop function; a stop
// before the server confirmed still unsubscribes once it has.
export function subscribe(collection, topic, handler) {
  let unsubscribe = null
  let stopped = false
  pb.collection(collection)
    .subscribe(topic, handler)
    .then((fn) => {
      if (stopped) fn().catch(() => {})
      else unsubscribe = fn
    })
    .catch(() => {
      // Realtime is an enhancement: the page still shows what it loaded.
    })
  return () => {
    stopped = true
    if (unsubscribe) unsubscribe().catch(() => {})
    unsubscribe = null
  }
}

// useRealtime subscribes for the life of the calling component.
export function useRealtime(collection, topic, handler) {
  const stop = subscribe(collection, topic, handler)
  onBeforeUnmount(stop)
  return stop
}

// mergeRecord updates a record from a realtime event, keeping the relations
// the page expanded (events carry none).
export function mergeRecord(old, fresh) {
  return old ? { ...fresh, expand: { ...(old.expand || {}), ...(fresh.expand || {}) } } : fresh
}

function byNewest(a, b) {
  return String(b.created).localeCompare(String(a.created))
}

// useLiveServices loads the customer's services, newest first, and keeps
// the list live: a changed service is merged in place, a new one is fetched
// with its expanded relations and inserted in order, and a deleted one (or
// one `keep` no longer accepts) is dropped. Returns the useAsync state.
export function useLiveServices({ filter = '', expand = '', keep = () => true } = {}) {
  const services = useAsync(() => pb.collection('services').getFullList({ ...(filter ? { filter } : {}), sort: '-created', expand }))

  useRealtime('services', '*', async (e) => {
    const list = services.data.value ? [...services.data.value] : []
    const i = list.findIndex((s) => s.id === e.record.id)
    if (e.action === 'delete' || !keep(e.record)) {
      if (i >= 0) list.splice(i, 1)
    } else if (i >= 0) {
      list[i] = mergeRecord(list[i], e.record)
    } else {
      let rec = e.record
      try {
        rec = await pb.collection('services').getOne(e.record.id, { expand })
      } catch {
        // Shown without its relations rather than not at all.
      }
      if (list.some((s) => s.id === rec.id)) return
      list.push(rec)
      list.sort(byNewest)
    }
    services.data.value = list
  })

  return services
}
