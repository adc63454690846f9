// Healthy control: requests run with a context deadline, their goroutines always finish,
// timers are stopped, and the cache evicts its oldest entry past a fixed size.
package main

import (
	"context"
	"strconv"
	"sync"
	"time"

	"gomemleaks/harness"
)

type lru struct {
	mu    sync.Mutex
	max   int
	order []string
	items map[string][]byte
}

func (c *lru) put(k string, v []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; !ok {
		c.order = append(c.order, k)
	}
	c.items[k] = v
	for len(c.order) > c.max {
		delete(c.items, c.order[0])
		c.order = c.order[1:]
	}
}

func call(ctx context.Context, n int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Millisecond)
	defer cancel()
	ch := make(chan []byte, 1) // buffered: the sender never blocks
	go func() {
		ch <- make([]byte, 128+n%512)
	}()
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case b := <-ch:
		return b, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, context.DeadlineExceeded
	}
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 16 << 10, SampleEvery: 45 * time.Millisecond})
	c := &lru{max: 500, items: map[string][]byte{}}
	r.Gauge("cache_len", func() float64 { c.mu.Lock(); defer c.mu.Unlock(); return float64(len(c.items)) })
	ctx := context.Background()
	n := 0
	for round := 1; round <= 2; round++ {
		var wg sync.WaitGroup
		for i := 0; i < 4000; i++ {
			n++
			wg.Add(1)
			go func(n int) {
				defer wg.Done()
				if b, err := call(ctx, n); err == nil {
					c.put(strconv.Itoa(n%2000), b)
				}
			}(n)
			if i%500 == 0 {
				wg.Wait()
			}
		}
		wg.Wait()
		time.Sleep(100 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
