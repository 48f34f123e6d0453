// The work queue's total, shown in the header on every page: loaded once
// per page change at most every half minute, and again whenever the queue
// page loads or clears an item.
import { reactive } from 'vue'
import { pb } from './pb.js'

export const queueCount = reactive({ total: null })

let last = 0

// refreshQueueCount asks for the counts only (limit=0); a failure keeps
// the last figure rather than showing a wrong zero.
export async function refreshQueueCount({ force = false } = {}) {
  if (!force && Date.now() - last < 30000) return
  last = Date.now()
  try {
    const q = await pb.send('/api/staff/queue', { query: { limit: 0 } })
    queueCount.total = q.total
  } catch {
    last = 0
  }
}

// setQueueCount records a total the queue page has just loaded.
export function setQueueCount(total) {
  queueCount.total = total
  last = Date.now()
}
