// Leak: every request starts a watcher that waits on a done channel nobody ever closes.
// It blocks in a plain `<-done` (runtime.chanrecv1). Also the program used for the live
// URL test: with -serve it keeps handling requests until -serve-for elapses.
package main

import (
	"time"

	"gomemleaks/harness"
)

type request struct {
	id      int
	payload []byte
}

func watch(req *request, done <-chan struct{}) {
	<-done // nobody closes done: this goroutine never returns
	_ = req.payload[0]
}

func handle(id int) {
	req := &request{id: id, payload: make([]byte, 900)}
	done := make(chan struct{})
	go watch(req, done)
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 32 << 10})
	id := 0
	for round := 1; round <= 2 || r.Running(); round++ {
		for i := 0; i < 400; i++ {
			id++
			handle(id)
			if i%50 == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
		time.Sleep(200 * time.Millisecond)
		r.Snapshot()
		if r.Serving() {
			time.Sleep(300 * time.Millisecond)
		}
	}
	r.Finish()
}
