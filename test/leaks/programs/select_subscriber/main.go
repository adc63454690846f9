// Leak: subscribers register with a broker and wait in a select over their event channel and
// a quit channel; clients never unsubscribe, so both cases stay silent forever.
package main

import (
	"sync"
	"time"

	"gomemleaks/harness"
)

type broker struct {
	mu   sync.Mutex
	subs map[int]chan string
}

func (b *broker) subscribe(id int) (chan string, chan struct{}) {
	ch := make(chan string, 1)
	quit := make(chan struct{})
	b.mu.Lock()
	b.subs[id] = ch
	b.mu.Unlock()
	return ch, quit
}

func listen(events <-chan string, quit <-chan struct{}) {
	seen := 0
	for {
		select {
		case <-events:
			seen++
		case <-quit:
			return
		}
	}
}

func main() {
	r := harness.Start(harness.Options{SampleEvery: 100 * time.Millisecond})
	b := &broker{subs: map[int]chan string{}}
	id := 0
	for round := 1; round <= 2; round++ {
		for i := 0; i < 900; i++ {
			id++
			events, quit := b.subscribe(id)
			go listen(events, quit)
		}
		time.Sleep(250 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
