// Countries for the billing address: ISO 3166-1 alpha-2 codes (what the
// customers.country field stores), named in the browser's language by
// Intl.DisplayNames, with English names as the fallback for old browsers.
const CODES = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`.split(/\s+/)

// English names of the most common countries, for browsers without
// Intl.DisplayNames; any other code is shown as itself.
const FALLBACK = {
  AT: 'Austria', AU: 'Australia', BE: 'Belgium', BR: 'Brazil', CA: 'Canada', CH: 'Switzerland', CN: 'China', CZ: 'Czechia',
  DE: 'Germany', DK: 'Denmark', ES: 'Spain', FI: 'Finland', FR: 'France', GB: 'United Kingdom', GR: 'Greece', HU: 'Hungary',
  IE: 'Ireland', IN: 'India', IT: 'Italy', JP: 'Japan', LU: 'Luxembourg', MX: 'Mexico', NL: 'Netherlands', NO: 'Norway',
  NZ: 'New Zealand', PL: 'Poland', PT: 'Portugal', RO: 'Romania', SE: 'Sweden', SG: 'Singapore', US: 'United States', ZA: 'South Africa',
}

let display
function names() {
  if (display === undefined) {
    try {
      display = new Intl.DisplayNames(undefined, { type: 'region' })
    } catch {
      display = null
    }
  }
  return display
}

export function countryName(code) {
  const c = String(code || '').toUpperCase()
  if (!c) return ''
  try {
    const n = names()?.of(c)
    if (n && n !== c) return n
  } catch {
    // an unknown code: fall through
  }
  return FALLBACK[c] || c
}

let sorted
// countries is [{code, name}] sorted by name, built once.
export function countries() {
  sorted ??= CODES.map((code) => ({ code, name: countryName(code) })).sort((a, b) => a.name.localeCompare(b.name))
  return sorted
}
