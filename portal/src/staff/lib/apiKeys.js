// The signed-in staff member's own API keys (/api/staff/api-keys): the
// same shape as a customer's (portal/src/lib/api.js), with the staff family.
import { pb } from './pb.js'

export const listStaffApiKeys = () => pb.send('/api/staff/api-keys', { method: 'GET' })
export const createStaffApiKey = (key) => pb.send('/api/staff/api-keys', { method: 'POST', body: key })
export const revokeStaffApiKey = (id) => pb.send(`/api/staff/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' })
