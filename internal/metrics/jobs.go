package metrics

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/pocketbase/pocketbase/core"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ezscale/ezscale/internal/clock"
)

// Jobs counts the scheduled jobs' runs, durations and failures, and knows
// how often each should run, so a job that stopped running is noticed. The
// scheduler reports every run to it (gocron.WithMonitorStatus), so each
// job is counted without wrapping it.
type Jobs struct {
	app      core.App
	runs     *prometheus.CounterVec
	failures *prometheus.CounterVec
	duration *prometheus.HistogramVec
	lastRunD *prometheus.Desc
	overdueD *prometheus.Desc

	mu       sync.Mutex
	lastRun  map[string]time.Time
	schedule map[string]expected
}

// expected is how often a job should run, and since when it is watched
// (a job that never ran is late 2 intervals after the server started).
type expected struct {
	every time.Duration
	since time.Time
}

// Overdue is a job that has not run for twice its interval.
type Overdue struct {
	Job     string
	Every   time.Duration
	LastRun time.Time // zero: not since the server started
}

func newJobs(app core.App) *Jobs {
	return &Jobs{
		app: app,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "job_runs_total", Help: "Scheduled job runs finished, failed ones included.",
		}, []string{"job"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "job_failures_total", Help: "Scheduled job runs that failed.",
		}, []string{"job"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "job_duration_seconds", Help: "Time a scheduled job run took.",
			Buckets: []float64{.1, .5, 1, 5, 15, 60, 300, 900, 3600},
		}, []string{"job"}),
		lastRunD: prometheus.NewDesc(namespace+"_job_last_run_timestamp_seconds",
			"When the job last finished a run (Unix time); absent before its first run.", []string{"job"}, nil),
		overdueD: prometheus.NewDesc(namespace+"_job_overdue",
			"1 when the job has not run for twice its interval.", []string{"job"}, nil),
		lastRun:  map[string]time.Time{},
		schedule: map[string]expected{},
	}
}

// Expect says job should run every interval; the scheduler calls it when
// it (re)schedules a job. Moving a job keeps the time it is watched from.
func (j *Jobs) Expect(job string, every time.Duration) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.schedule[job]
	if !ok {
		e.since = clock.Now(j.app)
	}
	e.every = every
	j.schedule[job] = e
}

// Ran records a finished run of job.
func (j *Jobs) Ran(job string, took time.Duration, failed bool) {
	j.runs.WithLabelValues(job).Inc()
	j.duration.WithLabelValues(job).Observe(took.Seconds())
	if failed {
		j.failures.WithLabelValues(job).Inc()
	}
	j.mu.Lock()
	j.lastRun[job] = clock.Now(j.app)
	j.mu.Unlock()
}

// Overdue lists the jobs that have not run for twice their interval at
// now, by name.
func (j *Jobs) Overdue(now time.Time) []Overdue {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Overdue
	for job, e := range j.schedule {
		last := j.lastRun[job]
		from := e.since
		if last.After(from) {
			from = last
		}
		if now.Sub(from) > 2*e.every {
			out = append(out, Overdue{Job: job, Every: e.every, LastRun: last})
		}
	}
	slices.SortFunc(out, func(a, b Overdue) int { return strings.Compare(a.Job, b.Job) })
	return out
}

// RecordJobTimingWithStatus is gocron's report of a run. Runs skipped
// because the previous one was still working are not runs.
func (j *Jobs) RecordJobTimingWithStatus(start, end time.Time, _ uuid.UUID, name string, _ []string, status gocron.JobStatus, _ error) {
	if status != gocron.Success && status != gocron.Fail {
		return
	}
	j.Ran(name, end.Sub(start), status == gocron.Fail)
}

// IncrementJob completes gocron.Monitor; the runs are counted from
// RecordJobTimingWithStatus, which has the duration and outcome together.
func (j *Jobs) IncrementJob(uuid.UUID, string, []string, gocron.JobStatus) {}

// RecordJobTiming completes gocron.Monitor, as IncrementJob.
func (j *Jobs) RecordJobTiming(time.Time, time.Time, uuid.UUID, string, []string) {}

func (j *Jobs) Describe(ch chan<- *prometheus.Desc) {
	j.runs.Describe(ch)
	j.failures.Describe(ch)
	j.duration.Describe(ch)
	ch <- j.lastRunD
	ch <- j.overdueD
}

func (j *Jobs) Collect(ch chan<- prometheus.Metric) {
	j.runs.Collect(ch)
	j.failures.Collect(ch)
	j.duration.Collect(ch)
	overdue := map[string]bool{}
	for _, o := range j.Overdue(clock.Now(j.app)) {
		overdue[o.Job] = true
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for job, at := range j.lastRun {
		ch <- prometheus.MustNewConstMetric(j.lastRunD, prometheus.GaugeValue, float64(at.Unix()), job)
	}
	for job := range j.schedule {
		v := 0.0
		if overdue[job] {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(j.overdueD, prometheus.GaugeValue, v, job)
	}
}
