// Leak: a session table fills up under a burst, then every session is deleted; the map keeps
// the bucket array it grew to, so the memory never comes back.
package main

import (
	"time"

	"gomemleaks/harness"
)

type session struct {
	user  int64
	seen  int64
	flags [4]int64
}

var sessions = map[int64]*session{}

func fill(n int) {
	for i := 0; i < n; i++ {
		sessions[int64(i)] = &session{user: int64(i)}
	}
}

func expireAll() {
	for k := range sessions {
		delete(sessions, k)
	}
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 64 << 10})
	r.Gauge("map_len", func() float64 { return float64(len(sessions)) })
	fill(300_000)
	time.Sleep(150 * time.Millisecond)
	r.Snapshot()
	expireAll()
	time.Sleep(150 * time.Millisecond)
	r.Snapshot()
	r.Finish()
}
