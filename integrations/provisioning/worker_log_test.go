package provisioning_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/logger"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// A job whose outcome cannot be saved stays running until its lease ends;
// staff learn why from the log, naming the job and the cause.
func TestUnsavedOutcomeIsLogged(t *testing.T) {
	w := newWorld(t)
	svc := w.service(t, "active")
	job := w.enqueue(t, svc, provisioning.ActionSuspend)
	w.app.OnRecordUpdate("provisioning_jobs").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("status") == "succeeded" {
			return errors.New("disk full")
		}
		return e.Next()
	})

	claimed, err := w.worker.Claim("w0")
	if err != nil || claimed == nil || claimed.Id != job.Id {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	w.worker.Process(context.Background(), claimed)

	if fresh, _ := w.app.FindRecordById("provisioning_jobs", job.Id); fresh.GetString("status") != "running" {
		t.Errorf("job status %s, want running until its lease ends", fresh.GetString("status"))
	}
	batch := w.app.Logger().Handler().(*logger.BatchHandler)
	if err := batch.WriteAll(context.WithValue(context.Background(), logger.BlockKey, true)); err != nil {
		t.Fatal(err)
	}
	var logs []*core.Log
	if err := w.app.LogQuery().AndWhere(dbx.HashExp{"message": "provisioning: record a job's outcome"}).All(&logs); err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 || logs[0].Level != int(slog.LevelError) || logs[0].Data["job"] != job.Id ||
		logs[0].Data["status"] != "succeeded" || logs[0].Data["error"] != "disk full" {
		t.Fatalf("logs: %+v", logs)
	}
}
