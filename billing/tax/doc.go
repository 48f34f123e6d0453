// Package tax decides which sales tax or VAT applies to a sale and computes
// it exactly in integer minor units.
//
// Rates are integer thousandths of a percent (20000 = 20 %, 8875 = 8.875 %),
// as stored in the tax_rates collection. Tax is rounded half to even once per
// invoice line and the per-rate summary only adds those rounded values up,
// so an invoice's total always equals the sum of its lines.
package tax
