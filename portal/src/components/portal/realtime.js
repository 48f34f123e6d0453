// Realtime helpers of the portal pages: subscribe to a record's topic, or
// to the customer's own live topic of a collection ('live/services': the
// server sends it the events of the signed-in customer's records only, as
// the record API shows them), for as long as the component lives. Live
// topics replace PocketBase's '*' subscriptions, which the server checks
// against every open dashboard on every event.
import { onBeforeUnmount } from 'vue'
import { pb } from '../../lib/pb.js'
import { useAsync } from '../../lib/useAsync.js'

// subscribe starts a subscription now and returns its stop function; a stop
// before the server confirmed still unsubscribes once it has.
export function subscribe(collection, topic, handler) {
  return start(() => pb.collection(collection).subscribe(topic, handler))
}

// subscribeLive subscribes to the customer's live topic of collection.
export function subscribeLive(collection, handler) {
  return start(() => pb.realtime.subscribe(`live/${collection}`, handler))
}

function start(open) {
  let unsubscribe = null
  let stopped = false
  open()
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

// useLive subscribes to the customer's live topic of collection for the
// life of the calling component.
export function useLive(collection, handler) {
  const stop = subscribeLive(collection, handler)
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

  useLive('services', async (e) => {
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
