// Leak: a config reload takes the write lock and returns early on a bad file without
// releasing it; every reader then parks in sync.(*RWMutex).RLock.
package main

import (
	"sync"
	"time"

	"gomemleaks/harness"
)

type config struct {
	mu     sync.RWMutex
	values map[string]string
}

func (c *config) reload(valid bool) {
	c.mu.Lock()
	if !valid {
		return // the write lock is never released
	}
	c.values = map[string]string{"mode": "fast"}
	c.mu.Unlock()
}

func (c *config) get(k string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.values[k]
}

func serveRequest(c *config, done chan<- string) {
	done <- c.get("mode")
}

func main() {
	r := harness.Start(harness.Options{SampleEvery: 70 * time.Millisecond})
	c := &config{values: map[string]string{"mode": "slow"}}
	sink := make(chan string, 1<<16)
	for i := 0; i < 50; i++ {
		serveRequest(c, sink)
	}
	c.reload(false)
	for round := 1; round <= 2; round++ {
		for i := 0; i < 1100; i++ {
			go serveRequest(c, sink)
		}
		time.Sleep(200 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
