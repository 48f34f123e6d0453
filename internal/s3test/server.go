// Package s3test runs a private S3-compatible server (SeaweedFS's S3
// gateway, through scripts/seaweedfs.sh) for tests that need real object
// storage: Litestream's replica and PocketBase's backups. It is a separate
// process on a free loopback port with its data in a throwaway directory,
// stopped and deleted when the test ends.
package s3test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ezscale/ezscale/internal/repo"
)

// The keys the gateway accepts (scripts/seaweedfs.sh's defaults).
const (
	AccessKey = "ezscale"
	SecretKey = "ezscale-secret"
	Region    = "us-east-1"
)

// Server is a running throwaway S3 gateway.
type Server struct {
	Port int

	dir    string
	script string
}

// Endpoint is the gateway's base URL, for path-style S3 clients.
func (s *Server) Endpoint() string {
	return "http://127.0.0.1:" + strconv.Itoa(s.Port)
}

// Start builds SeaweedFS when missing (minutes the first time, cached in
// bin/), starts a server for one test and stops and deletes it when the
// test ends. Without EZ_S3_TESTS=1 (make dr-drill sets it) the test is
// skipped: SeaweedFS's first build is too slow for every test run.
func Start(tb testing.TB) *Server {
	tb.Helper()
	if os.Getenv("EZ_S3_TESTS") != "1" {
		tb.Skip("needs SeaweedFS: run make dr-drill (EZ_S3_TESTS=1)")
	}
	// Litestream's S3 client fails whenever AWS_CA_BUNDLE is set (see
	// replication.FromEnv), and the gateway is plain HTTP anyway.
	tb.Setenv("AWS_CA_BUNDLE", "")
	began := time.Now()
	s, err := start()
	if err != nil {
		tb.Fatalf("s3test: %v", err)
	}
	tb.Logf("s3test: SeaweedFS S3 on %s, started in %s", s.Endpoint(), time.Since(began).Round(time.Millisecond))
	tb.Cleanup(func() {
		if err := s.Stop(); err != nil {
			tb.Errorf("s3test: %v", err)
		}
	})
	return s
}

// start installs SeaweedFS, then starts a server in a new directory. The
// script is told the test binary's pid: should the binary die before its
// cleanup runs, the script's watcher stops the server and deletes the
// directory.
func start() (*Server, error) {
	root, err := repo.Root()
	if err != nil {
		return nil, err
	}
	s := &Server{script: filepath.Join(root, "scripts", "seaweedfs.sh")}
	install := exec.Command("bash", s.script, "install")
	install.Stdout, install.Stderr = os.Stderr, os.Stderr
	if err := install.Run(); err != nil {
		return nil, fmt.Errorf("install SeaweedFS (%s install): %w", s.script, err)
	}
	if s.dir, err = os.MkdirTemp("", "ezs3"); err != nil {
		return nil, fmt.Errorf("make the server's directory: %w", err)
	}
	cmd := exec.Command("bash", s.script, "start", s.dir)
	cmd.Env = append(os.Environ(), "EZ_SEAWEEDFS_OWNER="+strconv.Itoa(os.Getpid()),
		"EZ_S3_ACCESS_KEY="+AccessKey, "EZ_S3_SECRET_KEY="+SecretKey)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err == nil {
		s.Port, err = strconv.Atoi(strings.TrimSpace(string(out)))
	}
	if err != nil {
		err = fmt.Errorf("start SeaweedFS in %s: %w\n%s", s.dir, err, bytes.TrimSpace(stderr.Bytes()))
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

// Stop shuts the server down and deletes its directory; a test that
// checks how the app behaves when storage goes away calls it early.
func (s *Server) Stop() error {
	var err error
	if out, runErr := exec.Command("bash", s.script, "stop", s.dir).CombinedOutput(); runErr != nil {
		err = fmt.Errorf("stop the server in %s: %w\n%s", s.dir, runErr, bytes.TrimSpace(out))
	}
	if rmErr := os.RemoveAll(s.dir); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("delete the server's directory: %w", rmErr))
	}
	return err
}

// CreateBucket makes a bucket on the server, as an operator would before
// pointing EZ_REPLICA_URL at it.
func (s *Server) CreateBucket(tb testing.TB, name string) {
	tb.Helper()
	client := s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint()),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
	})
	if _, err := client.CreateBucket(tb.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		tb.Fatalf("s3test: create bucket %s: %v", name, err)
	}
	// SeaweedFS grows the bucket's volumes at its first write, which takes
	// seconds; a test that measures lag or waits for acknowledgements must
	// not measure that.
	began := time.Now()
	key := aws.String("ezscale-warm-up")
	if _, err := client.PutObject(tb.Context(), &s3.PutObjectInput{Bucket: aws.String(name), Key: key, Body: strings.NewReader("warm")}); err != nil {
		tb.Fatalf("s3test: first write to bucket %s: %v", name, err)
	}
	if _, err := client.DeleteObject(tb.Context(), &s3.DeleteObjectInput{Bucket: aws.String(name), Key: key}); err != nil {
		tb.Fatalf("s3test: delete the first write in bucket %s: %v", name, err)
	}
	tb.Logf("s3test: bucket %s created; its first write took %s", name, time.Since(began).Round(time.Millisecond))
}
