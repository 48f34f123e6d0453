// Small helpers about services shared by the portal pages.
import { serviceTypeLabels } from '../../lib/format.js'

// ipList normalises the service's ip_addresses JSON: a list of strings, or
// of objects naming the address.
export function ipList(svc) {
  let raw = svc?.ip_addresses
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw)
    } catch {
      raw = raw ? [raw] : []
    }
  }
  if (!Array.isArray(raw)) return []
  return raw
    .map((ip) => (typeof ip === 'string' ? ip : ip?.address || ip?.ip || ''))
    .filter(Boolean)
}

// primaryIP is the first IPv4 address, else the first address at all.
export function primaryIP(svc) {
  const ips = ipList(svc)
  return ips.find((ip) => !ip.includes(':')) || ips[0] || ''
}

// serviceName is what a customer calls the service: its label, else the
// plan's name, else its kind.
export function serviceName(svc) {
  return svc?.label || svc?.expand?.plan?.name || serviceTypeLabels[svc?.service_type] || 'Service'
}

export function planName(svc) {
  return svc?.expand?.plan?.name || serviceTypeLabels[svc?.service_type] || ''
}

// Services that no longer exist for the customer's day-to-day view.
export const endedStatuses = ['terminated', 'cancelled']

// optionLabels names the options a customer chose when ordering; only
// these are shown (an imported service's options may carry other keys).
export const optionLabels = { hostname: 'Hostname', domain: 'Domain', os: 'Operating system', game: 'Game', location: 'Location' }

// serverAddress is where players connect to a game server (host:port), ''
// for other services or until the platform has assigned it.
export function serverAddress(svc) {
  return svc?.service_type === 'game_server' ? svc.server_address || '' : ''
}

const choiceLabels = {
  'debian-12': 'Debian 12',
  'debian-11': 'Debian 11',
  'ubuntu-24.04': 'Ubuntu 24.04 LTS',
  'ubuntu-22.04': 'Ubuntu 22.04 LTS',
  'almalinux-9': 'AlmaLinux 9',
  'rocky-9': 'Rocky Linux 9',
  'proxmox-8': 'Proxmox VE 8',
  'windows-2022': 'Windows Server 2022',
}

// choiceLabel names an operating system or game id for people.
export function choiceLabel(v) {
  const s = String(v || '')
  return choiceLabels[s] || s.charAt(0).toUpperCase() + s.slice(1).replace(/[-_]/g, ' ')
}
