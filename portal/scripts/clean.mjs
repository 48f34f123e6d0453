// Removes the previous build's files (hashed assets would pile up) but keeps
// pb_public/portal/.gitkeep, which lets the Go embed compile before a build.
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const out = new URL('../../pb_public/portal/', import.meta.url).pathname
for (const name of readdirSync(out)) {
  if (name !== '.gitkeep') rmSync(join(out, name), { recursive: true, force: true })
}
