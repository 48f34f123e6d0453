// Realtime helpers of the portal pages: subscribe to a collection topic for
// as long as the component lives. The API rules decide which records reach
// the customer, so a '*' subscription only ever carries their own.
import { onBeforeUnmount } from 'vue'
import { pb } from '../../lib/pb.js'

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
