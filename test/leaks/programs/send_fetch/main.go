// Leak: the classic timeout pattern. fetch starts a goroutine that sends its result on an
// unbuffered channel; when the caller times out first, nobody ever receives, and the sender
// stays parked in `ch <- v` (runtime.chansend1) forever.
package main

import (
	"time"

	"gomemleaks/harness"
)

type result struct {
	body []byte
}

func slowBackend(n int) result {
	time.Sleep(time.Duration(n%4) * time.Millisecond)
	return result{body: make([]byte, 256)}
}

func fetch(n int) (result, bool) {
	ch := make(chan result)
	go func() {
		ch <- slowBackend(n)
	}()
	t := time.NewTimer(time.Millisecond)
	defer t.Stop()
	select {
	case r := <-ch:
		return r, true
	case <-t.C:
		return result{}, false
	}
}

func main() {
	r := harness.Start(harness.Options{})
	n := 0
	for round := 1; round <= 2; round++ {
		for i := 0; i < 500; i++ {
			n++
			fetch(n)
		}
		time.Sleep(100 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
