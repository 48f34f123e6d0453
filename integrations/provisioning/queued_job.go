package provisioning

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// JobStatus is where a queued job stands (provisioning_jobs.status).
type JobStatus string

// Job statuses. Staff set a failed job back to pending to retry it.
const (
	JobPending   JobStatus = "pending"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
	JobCancelled JobStatus = "cancelled"
)

// QueuedJob is a typed view of a provisioning_jobs record: a Job once it
// is in the queue.
type QueuedJob struct {
	core.BaseRecordProxy
}

// AsQueuedJob wraps a provisioning_jobs record.
func AsQueuedJob(rec *core.Record) *QueuedJob {
	j := &QueuedJob{}
	j.SetProxyRecord(rec)
	return j
}

// FindQueuedJob loads a queued job by id.
func FindQueuedJob(app core.App, id string) (*QueuedJob, error) {
	rec, err := app.FindRecordById(Collection, id)
	if err != nil {
		return nil, err
	}
	return AsQueuedJob(rec), nil
}

func (j *QueuedJob) Status() JobStatus              { return JobStatus(j.GetString("status")) }
func (j *QueuedJob) SetStatus(s JobStatus)          { j.Set("status", string(s)) }
func (j *QueuedJob) Action() Action                 { return Action(j.GetString("action")) }
func (j *QueuedJob) ServiceID() string              { return j.GetString("service") }
func (j *QueuedJob) DedupeKey() string              { return j.GetString("dedupe_key") }
func (j *QueuedJob) Attempts() int                  { return j.GetInt("attempts") }
func (j *QueuedJob) MaxAttempts() int               { return j.GetInt("max_attempts") }
func (j *QueuedJob) RunAfter() types.DateTime       { return j.GetDateTime("run_after") }
func (j *QueuedJob) LockedAt() types.DateTime       { return j.GetDateTime("locked_at") }
func (j *QueuedJob) LockedBy() string               { return j.GetString("locked_by") }
func (j *QueuedJob) FinishedAt() types.DateTime     { return j.GetDateTime("finished_at") }
func (j *QueuedJob) LastError() string              { return j.GetString("last_error") }
func (j *QueuedJob) RequestedBy() string            { return j.GetString("requested_by") }
func (j *QueuedJob) SetAttempts(n int)              { j.Set("attempts", n) }
func (j *QueuedJob) SetRunAfter(t types.DateTime)   { j.Set("run_after", t) }
func (j *QueuedJob) SetFinishedAt(t types.DateTime) { j.Set("finished_at", t) }
func (j *QueuedJob) Created() types.DateTime        { return j.GetDateTime("created") }
func (j *QueuedJob) SetServiceID(id string)         { j.Set("service", id) }
func (j *QueuedJob) SetAction(a Action)             { j.Set("action", string(a)) }
func (j *QueuedJob) SetDedupeKey(k string)          { j.Set("dedupe_key", k) }
func (j *QueuedJob) SetPayload(p any)               { j.Set("payload", p) }
func (j *QueuedJob) SetRequestedBy(by string)       { j.Set("requested_by", by) }
func (j *QueuedJob) SetMaxAttempts(n int)           { j.Set("max_attempts", n) }
func (j *QueuedJob) SetLastError(msg string)        { j.Set("last_error", msg) }
func (j *QueuedJob) SetResponse(r map[string]any)   { j.Set("response", r) }
