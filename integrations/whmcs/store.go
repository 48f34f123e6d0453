package whmcs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// table stages the imported records of one collection and writes them in
// batches. Records are matched by whmcs_id: a new one is created, an
// existing one updated only when a value differs, so a second run over
// the same WHMCS data writes nothing — and only while the record still
// holds what the import last wrote (whmcs_hash): one the platform has
// changed since is kept as it is, and noted.
//
// Records are written with plain SQL, not app.Save: the platform's record
// hooks would treat an imported paid invoice as a payment just received
// (emails, provisioning) and a hundred thousand saves through them take
// minutes. The importer is therefore responsible for valid values.
type table struct {
	name string
	// cols are written on create and compared and written on update;
	// insertOnly only on create (a password the customer changed since
	// must survive a re-run).
	cols, insertOnly []string
	byWHMCS          map[string]*stored
	// staged are the records this run created: a dry run writes nothing,
	// so later steps find them here instead of in the database.
	staged map[string]*stored
	// pending holds the rows not written yet: at most a batch, as put
	// writes each full batch at once (write), keeping a step's memory flat.
	pending []pendingRow
	write   func([]pendingRow) error
	err     error // the first failed write; the step's flush returns it
	count   *Count
	report  *Report
	now     string
}

type stored struct {
	id     string
	values map[string]string
	// hash is whmcs_hash: the digest of the values the import last wrote
	// ("" for records written before it was kept).
	hash string
}

type pendingRow struct {
	id     string
	create bool
	params dbx.Params
}

// table loads the records of collection that came from WHMCS.
func (im *importer) table(collection string, count *Count, cols []string, insertOnly ...string) (*table, error) {
	if im.staged[collection] == nil {
		im.staged[collection] = map[string]*stored{}
	}
	t := &table{name: collection, cols: cols, insertOnly: insertOnly, byWHMCS: map[string]*stored{}, count: count, report: im.report,
		staged: im.staged[collection], now: types.NowDateTime().String()}
	t.write = func(batch []pendingRow) error { return im.writeBatch(im.ctx, t, batch) }
	if im.opts.DryRun {
		for k, v := range t.staged {
			t.byWHMCS[k] = v
		}
	}
	rows, err := im.app.DB().Select(append([]string{"id", "whmcs_id", "whmcs_hash"}, cols...)...).From(collection).
		Where(dbx.NewExp("[[whmcs_id]] != ''")).Rows()
	if err != nil {
		return nil, fmt.Errorf("read imported %s: %w", collection, err)
	}
	defer rows.Close()
	for rows.Next() {
		m := dbx.NullStringMap{}
		if err := rows.ScanMap(m); err != nil {
			return nil, fmt.Errorf("read imported %s: %w", collection, err)
		}
		s := &stored{id: m["id"].String, values: make(map[string]string, len(cols)), hash: m["whmcs_hash"].String}
		for _, c := range cols {
			s.values[c] = m[c].String
		}
		t.byWHMCS[m["whmcs_id"].String] = s
	}
	return t, rows.Err()
}

// id is the record id of an imported WHMCS row, "" if it was not imported.
func (t *table) id(whmcsID string) string {
	if s, ok := t.byWHMCS[whmcsID]; ok {
		return s.id
	}
	return ""
}

// put stages the record of a WHMCS row and answers its record id. values
// holds every column of cols (and of insertOnly for a new record).
func (t *table) put(whmcsID string, values map[string]any) string {
	canon := make(map[string]string, len(t.cols))
	for _, c := range t.cols {
		canon[c] = canonical(values[c])
	}
	if s, ok := t.byWHMCS[whmcsID]; ok {
		params := dbx.Params{}
		for _, c := range t.cols {
			if canon[c] != s.values[c] {
				params[c] = sqlValue(values[c])
			}
		}
		if len(params) == 0 {
			t.count.Unchanged++
			return s.id
		}
		if s.hash != "" && s.hash != t.hash(s.values) {
			// Changed on the platform since the import wrote it: WHMCS's
			// older view must not revert a payment, a renewal or an edit.
			t.count.Unchanged++
			t.report.note(t.count.Entity, whmcsID, "changed on EZSCALE since the last import: WHMCS's changes not applied")
			return s.id
		}
		s.values, s.hash = canon, t.hash(canon)
		params["whmcs_hash"] = s.hash
		params["updated"] = t.now
		t.stage(pendingRow{id: s.id, params: params})
		t.count.Updated++
		return s.id
	}
	id := core.GenerateDefaultRandomId()
	params := dbx.Params{"id": id, "whmcs_id": whmcsID, "whmcs_hash": t.hash(canon), "created": t.now, "updated": t.now}
	for _, c := range t.cols {
		params[c] = sqlValue(values[c])
	}
	for _, c := range t.insertOnly {
		params[c] = sqlValue(values[c])
	}
	t.byWHMCS[whmcsID] = &stored{id: id, values: canon, hash: params["whmcs_hash"].(string)}
	t.staged[whmcsID] = t.byWHMCS[whmcsID]
	t.stage(pendingRow{id: id, create: true, params: params})
	t.count.Created++
	return id
}

// normalised tells the table that column col of the record of whmcsID
// was written by an import as written (migration 1764000023 then
// normalised it, e.g. lower-cased an address): if that is the only
// difference from what the import wrote, the record is still the
// import's, and WHMCS's changes to it are applied.
func (t *table) normalised(whmcsID, col, written string) {
	s, ok := t.byWHMCS[whmcsID]
	if !ok || s.hash == "" || s.hash == t.hash(s.values) {
		return
	}
	before := maps.Clone(s.values)
	before[col] = written
	if t.hash(before) == s.hash {
		s.hash = t.hash(s.values)
	}
}

// hash digests a record's values in column order.
func (t *table) hash(values map[string]string) string {
	h := sha256.New()
	for _, c := range t.cols {
		h.Write([]byte(values[c]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// stage queues a row and writes the batch once it is full.
func (t *table) stage(r pendingRow) {
	t.pending = append(t.pending, r)
	if len(t.pending) < batchSize {
		return
	}
	if t.err == nil {
		t.err = t.write(t.pending)
	}
	t.pending = t.pending[:0]
}

// batchSize rows are written per transaction: big enough to be fast,
// small enough that an interrupted run loses little and locks briefly.
const batchSize = 5000

// flush writes the rows put has not written yet and answers the first
// failed write of the step. Each batch commits on its own; a run stopped
// between batches is completed by the next run, which finds the written
// records by whmcs_id.
func (im *importer) flush(ctx context.Context, t *table) error {
	defer func() { t.pending = nil }()
	if t.err != nil {
		return t.err
	}
	return im.writeBatch(ctx, t, t.pending)
}

// writeBatch writes rows of t in one transaction, unless this is a dry run.
func (im *importer) writeBatch(ctx context.Context, t *table, batch []pendingRow) error {
	if im.opts.DryRun || len(batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return im.app.RunInTransaction(func(tx core.App) error {
		// One prepared INSERT per batch: parsed once, not per record.
		insert := tx.DB().NewQuery(t.insertSQL()).Prepare()
		defer insert.Close()
		for _, r := range batch {
			var err error
			if r.create {
				_, err = insert.Bind(r.params).Execute()
			} else {
				_, err = tx.DB().Update(t.name, r.params, dbx.HashExp{"id": r.id}).Execute()
			}
			if err != nil {
				return fmt.Errorf("write %s %s (WHMCS %v): %w", t.name, r.id, r.params["whmcs_id"], err)
			}
		}
		return nil
	})
}

// insertSQL inserts a new record: every column put gives it.
func (t *table) insertSQL() string {
	cols := append([]string{"id", "whmcs_id", "whmcs_hash", "created", "updated"}, t.cols...)
	cols = append(cols, t.insertOnly...)
	names := make([]string, len(cols))
	holders := make([]string, len(cols))
	for i, c := range cols {
		names[i] = "[[" + c + "]]"
		holders[i] = "{:" + c + "}"
	}
	return "INSERT INTO {{" + t.name + "}} (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(holders, ", ") + ")"
}

// canonical is a value as SQLite gives it back as text, so a staged value
// and a stored one compare equal when the record would not change.
func canonical(v any) string {
	switch x := sqlValue(v).(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	default:
		return fmt.Sprint(x)
	}
}

// sqlValue is how a value is stored: dates in PocketBase's text format
// (empty for the zero time), everything else as it is.
func sqlValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		d, _ := types.ParseDateTime(x)
		return d.String()
	case types.JSONRaw:
		return string(x)
	}
	return v
}
