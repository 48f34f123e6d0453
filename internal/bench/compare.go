package bench

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// The requests of the comparison, as the portal sends them: a page of the
// customer's services without its count, and one service.
const (
	ComparedListPath = ListServicesPath + "?perPage=20&skipTotal=1"
	pocketBaseModule = "github.com/pocketbase/pocketbase"
)

// CompareOptions shape a comparison of the platform with bare PocketBase.
type CompareOptions struct {
	APIOptions        // per run: clients, duration, customers
	Rounds     int    // each round runs list and view on both servers
	Bare       string // a bare PocketBase binary; empty builds one
	Server     string // the ezscale binary served (default: this one)
	Profile    string // a directory for the platform's CPU and heap profiles; empty: none
}

// Served is one server of a comparison and what it did.
type Served struct {
	Name          string
	List, View    APIResult // every round merged
	PeakRSS, Idle int64     // VmHWM after the runs, VmRSS when it started answering
}

// CompareResult is a comparison's two servers.
type CompareResult struct{ Platform, Bare Served }

// Print writes the table of the comparison and the platform's ratios.
func (r CompareResult) Print(w io.Writer) {
	fmt.Fprintf(w, "\n  %-10s %-5s %9s %9s %9s %6s\n", "server", "GET", "req/s", "p50", "p99", "errors")
	for _, s := range []Served{r.Platform, r.Bare} {
		for _, row := range []struct {
			name string
			res  APIResult
		}{{"list", s.List}, {"view", s.View}} {
			fmt.Fprintf(w, "  %-10s %-5s %9.0f %9s %9s %6d\n", s.Name, row.name, row.res.RPS(), ms(row.res.P50), ms(row.res.P99), row.res.Errors)
		}
	}
	for _, s := range []Served{r.Platform, r.Bare} {
		fmt.Fprintf(w, "  %-10s peak RSS %4d MB (VmHWM; %d MB when it began answering)\n", s.Name, s.PeakRSS>>20, s.Idle>>20)
	}
	ratio := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	fmt.Fprintf(w, "\n  platform / bare: list %.2fx req/s (p99 %.2fx), view %.2fx req/s (p99 %.2fx), peak RSS %.2fx\n",
		ratio(r.Platform.List.RPS(), r.Bare.List.RPS()), ratio(float64(r.Platform.List.P99), float64(r.Bare.List.P99)),
		ratio(r.Platform.View.RPS(), r.Bare.View.RPS()), ratio(float64(r.Platform.View.P99), float64(r.Bare.View.P99)),
		ratio(float64(r.Platform.PeakRSS), float64(r.Bare.PeakRSS)))
	for _, s := range []Served{r.Platform, r.Bare} {
		for _, res := range []APIResult{s.List, s.View} {
			if res.FirstError != "" {
				fmt.Fprintf(w, "  %s first error: %s\n", s.Name, res.FirstError)
			}
		}
	}
}

// Compare serves the platform and a bare PocketBase of the version this
// binary is built with, each as a child process on its own copy of app's
// database (bare PocketBase with rate limits and the request log off, the
// platform with its rate limiter off and production logging), and runs the
// same load against each in turn: opts.Rounds rounds of the services list
// and a service view as opts.Customers synthetic customers, alternating
// which server goes first. Each server's peak memory is its VmHWM (Linux).
func Compare(app core.App, opts CompareOptions, out io.Writer) (CompareResult, error) {
	if opts.Clients <= 0 || opts.Duration <= 0 || opts.Customers <= 0 || opts.Rounds <= 0 {
		return CompareResult{}, errors.New("bench: clients, duration, customers and rounds must be positive")
	}
	tmp, err := os.MkdirTemp("", "ezscale-compare-")
	if err != nil {
		return CompareResult{}, err
	}
	defer os.RemoveAll(tmp)

	if opts.Server == "" {
		if opts.Server, err = os.Executable(); err != nil {
			return CompareResult{}, err
		}
	}
	if opts.Bare == "" {
		version, err := pocketBaseVersion()
		if err != nil {
			return CompareResult{}, err
		}
		fmt.Fprintf(out, "Building bare PocketBase %s (examples/base) in %s ...\n", version, tmp)
		if opts.Bare, err = buildBarePocketBase(version, filepath.Join(tmp, "build")); err != nil {
			return CompareResult{}, err
		}
	}

	customers, err := pickCustomersWithServices(app, opts.Customers)
	if err != nil {
		return CompareResult{}, err
	}
	platformDir, bareDir := filepath.Join(tmp, "platform"), filepath.Join(tmp, "bare")
	fmt.Fprintln(out, "Copying the database (VACUUM INTO) for each server ...")
	if err := copyDatabase(app, platformDir, bareDir); err != nil {
		return CompareResult{}, err
	}
	if err := quietSettings(bareDir); err != nil {
		return CompareResult{}, fmt.Errorf("bare PocketBase's settings: %w", err)
	}

	var pprofAddr string
	if opts.Profile != "" {
		if err := os.MkdirAll(opts.Profile, 0o755); err != nil {
			return CompareResult{}, err
		}
		if pprofAddr, err = freeLoopbackAddr(); err != nil {
			return CompareResult{}, err
		}
	}
	platform, err := serveChild("platform", platformDir, platformServeCmd(opts.Server, platformDir, pprofAddr))
	if err != nil {
		return CompareResult{}, err
	}
	defer platform.close()
	bare, err := serveChild("bare", bareDir, bareServeCmd(opts.Bare, bareDir))
	if err != nil {
		return CompareResult{}, err
	}
	defer bare.close()
	for _, c := range []*child{platform, bare} {
		fmt.Fprintf(out, "%-8s pid %d on %s, data in %s\n", c.name, c.srv.cmd.Process.Pid, c.base, c.dir)
	}

	loads := []struct {
		name string
		l    load
	}{{"list", listPage}, {"view", viewService}}
	runs := map[*child]map[string][]APIResult{platform: {}, bare: {}}
	for round := range opts.Rounds {
		order := []*child{platform, bare}
		if round%2 == 1 {
			order = []*child{bare, platform}
		}
		for _, ld := range loads {
			for _, c := range order {
				fmt.Fprintf(out, "\nround %d, %s: GET %s %s, %d clients as %d customers for %s\n",
					round+1, c.name, ld.name, c.base, opts.Clients, len(customers), opts.Duration)
				var profiled <-chan error
				if c == platform && round == 0 && opts.Profile != "" {
					profiled = profileCPU(pprofAddr, opts.Duration, filepath.Join(opts.Profile, "cpu-"+ld.name+".pprof"))
				}
				res := run(c.base, customers, opts.APIOptions, ld.l, out)
				if profiled != nil {
					if err := <-profiled; err != nil {
						return CompareResult{}, err
					}
				}
				fmt.Fprintf(out, "  %.0f req/s, p50 %s, p99 %s, %d errors; server RSS %d MB\n",
					res.RPS(), ms(res.P50), ms(res.P99), res.Errors, procStatusBytes(c.srv.cmd.Process.Pid, "VmRSS")>>20)
				runs[c][ld.name] = append(runs[c][ld.name], res)
			}
		}
	}
	if opts.Profile != "" {
		if err := fetchTo("http://"+pprofAddr+"/debug/pprof/heap", filepath.Join(opts.Profile, "heap.pprof")); err != nil {
			return CompareResult{}, err
		}
		fmt.Fprintf(out, "\nProfiles of the platform in %s (go tool pprof -top %s)\n", opts.Profile, opts.Server)
	}

	served := func(c *child) Served {
		return Served{
			Name: c.name, List: merge(runs[c]["list"]...), View: merge(runs[c]["view"]...),
			PeakRSS: procStatusBytes(c.srv.cmd.Process.Pid, "VmHWM"), Idle: c.idle,
		}
	}
	return CompareResult{Platform: served(platform), Bare: served(bare)}, nil
}

// listPage is the portal's services list: a page of 20, no count.
var listPage = load{
	request: func(base string, c customer, _ int) (*http.Request, error) {
		return customerRequest(base+ComparedListPath, c)
	},
	check: func(body []byte, c customer, _ int) error { return checkOwnServices(body, c) },
}

// viewService opens the customer's services in turn.
var viewService = load{
	request: func(base string, c customer, n int) (*http.Request, error) {
		return customerRequest(base+ListServicesPath+"/"+c.serviceIDs[n%len(c.serviceIDs)], c)
	},
	check: func(body []byte, c customer, n int) error {
		return checkOwnService(body, c, c.serviceIDs[n%len(c.serviceIDs)])
	},
}

// pocketBaseVersion is the PocketBase module version this binary is built
// with, which go.mod pins.
func pocketBaseVersion() (string, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", errors.New("bench: no build information in this binary")
	}
	for _, dep := range info.Deps {
		if dep.Path == pocketBaseModule {
			if dep.Replace != nil {
				return "", fmt.Errorf("bench: %s is replaced by %s: pass a bare PocketBase binary", dep.Path, dep.Replace.Path)
			}
			return dep.Version, nil
		}
	}
	return "", fmt.Errorf("bench: %s is not a dependency of this binary", pocketBaseModule)
}

// buildBarePocketBase builds PocketBase's examples/base at version into
// dir, in a module of its own (so nothing of ours is linked in), with the
// go command; modules come from the module cache or GOPROXY.
func buildBarePocketBase(version, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module barepocketbase\n"), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "pocketbase")
	for _, args := range [][]string{
		{"get", pocketBaseModule + "/examples/base@" + version},
		{"build", "-trimpath", "-o", bin, pocketBaseModule + "/examples/base"},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
		if output, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go %s: %w\n%s", args[0], err, output)
		}
	}
	return bin, nil
}

// copyDatabase writes a consistent copy of app's data.db into each dir.
// The log database is not copied: each server starts an empty one.
func copyDatabase(app core.App, dirs ...string) error {
	first := filepath.Join(dirs[0], "data.db")
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	if _, err := app.NonconcurrentDB().NewQuery("VACUUM INTO {:path}").Bind(map[string]any{"path": first}).Execute(); err != nil {
		return err
	}
	for _, dir := range dirs[1:] {
		if err := copyFile(first, filepath.Join(dir, "data.db")); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// quietSettings turns the rate limiter and the request log off in the
// database of dir, as a bare PocketBase under load test is run.
func quietSettings(dir string) error {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return err
	}
	defer app.ResetBootstrapState()
	settings := app.Settings()
	settings.RateLimits.Enabled = false
	settings.Logs.MaxDays = 0
	return app.Save(settings)
}

// platformServeCmd serves the platform on dir: production mode with a
// throwaway encryption key, its rate limiter off, profiler on pprofAddr
// when set.
func platformServeCmd(bin, dir, pprofAddr string) func(addr string) *exec.Cmd {
	return func(addr string) *exec.Cmd {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		args := []string{"serve", "--http", addr, "--dir", dir}
		if pprofAddr != "" {
			args = append(args, "--pprof", pprofAddr)
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "EZ_DEV=false", "EZ_RATE_LIMITS=false", "EZ_LOG_LEVEL=warn",
			"EZ_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(key), "EZ_PUBLIC_URL=http://"+addr)
		return cmd
	}
}

// bareServeCmd serves bare PocketBase on dir. --dev=false: PocketBase
// takes a binary under the temp directory for `go run` and would log
// every query.
func bareServeCmd(bin, dir string) func(addr string) *exec.Cmd {
	return func(addr string) *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--http", addr, "--dir", dir, "--dev=false", "--automigrate=false")
		cmd.Dir = dir
		return cmd
	}
}

// child is a server of the comparison, answering on base.
type child struct {
	name, base, dir string
	srv             *server
	idle            int64
}

// serveChild starts the server cmd makes for a free loopback address, on
// the data directory dir, and waits until it answers.
func serveChild(name, dir string, cmd func(addr string) *exec.Cmd) (*child, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	c := cmd(addr)
	srv, err := startProcess("compare-"+name, c)
	if err != nil {
		return nil, err
	}
	ch := &child{name: name, base: "http://" + addr, dir: dir, srv: srv}
	if err := waitHealthy(ch.base, 2*time.Minute, srv); err != nil {
		srv.kill()
		return nil, err
	}
	ch.idle = procStatusBytes(c.Process.Pid, "VmRSS")
	return ch, nil
}

// close stops the server; its output is removed unless it failed.
func (c *child) close() {
	if err := c.srv.stop(time.Minute); err == nil {
		os.Remove(c.srv.output.Name())
	}
}

// profileCPU takes a CPU profile of the server at addr for d into path.
func profileCPU(addr string, d time.Duration, path string) <-chan error {
	done := make(chan error, 1)
	seconds := max(1, int(d/time.Second)-1)
	go func() {
		done <- fetchTo(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds), path)
	}()
	return done
}

// fetchTo saves the body of GET url at path.
func fetchTo(url, path string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
