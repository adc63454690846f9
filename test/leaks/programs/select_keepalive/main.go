// Leak: each connection starts a keepalive loop that selects on a ping channel and the
// context's Done; the context is Background (never cancelled) and pings stop with the
// connection, so the goroutine waits in select (runtime.selectgo) forever.
package main

import (
	"context"
	"time"

	"gomemleaks/harness"
)

type conn struct {
	id    int
	pings chan struct{}
	buf   []byte
}

func keepalive(ctx context.Context, c *conn) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.pings:
			c.buf[0]++
		}
	}
}

func open(ctx context.Context, id int) *conn {
	c := &conn{id: id, pings: make(chan struct{}), buf: make([]byte, 4096)}
	go keepalive(ctx, c)
	return c
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 64 << 10})
	ctx := context.Background()
	id := 0
	for round := 1; round <= 2; round++ {
		for i := 0; i < 250; i++ {
			id++
			c := open(ctx, id)
			c.pings <- struct{}{}
		}
		time.Sleep(200 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
