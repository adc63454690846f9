// Package harness is the recording side of the leak-doctor fixtures: every program under
// test/leaks/programs calls Start, runs its workload in phases and calls Snapshot between them.
// A snapshot writes what an engineer would collect by hand: a heap profile taken after a forced
// GC (so inuse figures are live bytes, as `?gc=1` gives), and the goroutine profile in all three
// encodings (debug=0 protobuf, debug=1 grouped text, debug=2 per-goroutine text). A sampler
// goroutine writes a MemStats JSON-lines series with NumGoroutine, a few runtime/metrics values
// and the program's own gauges, the way a service exporting runtime.ReadMemStats would.
//
// With -serve ADDR the program instead exposes net/http/pprof and expvar on ADDR (loopback only),
// prints the URL on stdout and keeps running its workload until -serve-for elapses.
package harness

import (
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

// Options vary per program so that the fixtures do not all share one sampling rate or cadence.
type Options struct {
	MemProfileRate int           // 0 keeps Go's default (512 KiB)
	SampleEvery    time.Duration // MemStats series cadence; 0 means 50ms
}

// Run is one recording session.
type Run struct {
	dir      string
	serveFor time.Duration
	serving  bool
	deadline time.Time

	mu     sync.Mutex
	gauges map[string]func() float64
	series *os.File
	stop   chan struct{}
	done   chan struct{}
	snaps  int
}

// sample is one series line: MemStats' own fields at the top level (embedding makes
// encoding/json flatten them), followed by the extras a monitoring exporter would add.
type sample struct {
	runtime.MemStats
	Time         string             `json:"Time"`
	NumGoroutine int                `json:"NumGoroutine"`
	Metrics      map[string]float64 `json:"Metrics"`
	App          map[string]float64 `json:"App,omitempty"`
}

var metricNames = []string{
	"/sched/goroutines:goroutines",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/total:bytes",
	"/gc/heap/goal:bytes",
	"/gc/heap/objects:objects",
}

// Start parses the harness flags, prepares the output directory and starts the sampler.
func Start(opts Options) *Run {
	out := flag.String("out", "", "directory for profiles and the MemStats series")
	serve := flag.String("serve", "", "serve net/http/pprof on this loopback address instead of writing files")
	serveFor := flag.Duration("serve-for", 30*time.Second, "how long to keep serving")
	flag.Parse()
	if opts.MemProfileRate > 0 {
		runtime.MemProfileRate = opts.MemProfileRate
	}
	r := &Run{gauges: map[string]func() float64{}, stop: make(chan struct{}), done: make(chan struct{})}
	if *serve != "" {
		r.serving = true
		r.serveFor = *serveFor
		r.deadline = time.Now().Add(*serveFor)
		r.listen(*serve)
		close(r.done)
		return r
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: program -out DIR | -serve 127.0.0.1:0")
		os.Exit(2)
	}
	r.dir = *out
	must(os.MkdirAll(r.dir, 0o755))
	f, err := os.Create(filepath.Join(r.dir, "memstats.jsonl"))
	must(err)
	r.series = f
	every := opts.SampleEvery
	if every == 0 {
		every = 50 * time.Millisecond
	}
	go r.sampleLoop(every)
	return r
}

func (r *Run) listen(addr string) {
	host, _, err := net.SplitHostPort(addr)
	must(err)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fmt.Fprintln(os.Stderr, "harness: -serve accepts loopback addresses only")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", addr)
	must(err)
	expvar.Publish("App", expvar.Func(func() any { return r.appGauges() }))
	go func() { _ = http.Serve(ln, nil) }()
	fmt.Printf("serving http://%s/debug/pprof/\n", ln.Addr())
	go func() {
		time.Sleep(r.serveFor)
		os.Exit(0)
	}()
}

// Serving reports whether the program runs as a live target rather than a recorder.
func (r *Run) Serving() bool { return r.serving }

// Gauge registers an application-level number (a map's length, a cache's size) for the series.
func (r *Run) Gauge(name string, read func() float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gauges[name] = read
}

func (r *Run) appGauges() map[string]float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.gauges) == 0 {
		return nil
	}
	out := make(map[string]float64, len(r.gauges))
	for k, read := range r.gauges {
		out[k] = read()
	}
	return out
}

func (r *Run) sampleLoop(every time.Duration) {
	defer close(r.done)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	enc := json.NewEncoder(r.series)
	descs := make([]metrics.Sample, len(metricNames))
	for i, n := range metricNames {
		descs[i].Name = n
	}
	write := func() {
		var s sample
		runtime.ReadMemStats(&s.MemStats)
		s.Time = time.Now().UTC().Format(time.RFC3339Nano)
		s.NumGoroutine = runtime.NumGoroutine()
		metrics.Read(descs)
		s.Metrics = map[string]float64{}
		for _, d := range descs {
			switch d.Value.Kind() {
			case metrics.KindUint64:
				s.Metrics[d.Name] = float64(d.Value.Uint64())
			case metrics.KindFloat64:
				s.Metrics[d.Name] = d.Value.Float64()
			}
		}
		s.App = r.appGauges()
		must(enc.Encode(&s))
	}
	write()
	for {
		select {
		case <-ticker.C:
			write()
		case <-r.stop:
			write()
			return
		}
	}
}

// Snapshot writes heap-N.pb.gz and goroutine-N.{pb.gz,debug1.txt,debug2.txt}.
func (r *Run) Snapshot() {
	if r.serving {
		return
	}
	r.snaps++
	n := r.snaps
	runtime.GC()
	r.writeFile(fmt.Sprintf("heap-%d.pb.gz", n), func(f *os.File) error { return pprof.WriteHeapProfile(f) })
	for _, level := range []int{0, 1, 2} {
		name := fmt.Sprintf("goroutine-%d.pb.gz", n)
		if level > 0 {
			name = fmt.Sprintf("goroutine-%d.debug%d.txt", n, level)
		}
		r.writeFile(name, func(f *os.File) error { return pprof.Lookup("goroutine").WriteTo(f, level) })
	}
}

func (r *Run) writeFile(name string, write func(*os.File) error) {
	f, err := os.Create(filepath.Join(r.dir, name))
	must(err)
	must(write(f))
	must(f.Close())
}

// Running is the workload's loop condition: in recording mode the program decides its own
// phases, in serving mode it keeps going until the serving deadline.
func (r *Run) Running() bool { return r.serving && time.Now().Before(r.deadline) }

// Finish stops the sampler and flushes the series.
func (r *Run) Finish() {
	if r.serving {
		select {}
	}
	close(r.stop)
	<-r.done
	must(r.series.Close())
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}
