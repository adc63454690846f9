// Leak: each job streams records to a consumer that ranges over the channel; the producer
// returns without closing it, so the consumer waits for more values forever (chanrecv2).
package main

import (
	"time"

	"gomemleaks/harness"
)

func produce(out chan<- []byte, n int) {
	for i := 0; i < n; i++ {
		out <- make([]byte, 512)
	}
	// missing close(out)
}

func consume(in <-chan []byte) {
	total := 0
	for rec := range in {
		total += len(rec)
	}
}

func runJob() {
	ch := make(chan []byte, 4)
	go consume(ch)
	go produce(ch, 8)
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 16 << 10})
	for round := 1; round <= 2; round++ {
		for i := 0; i < 600; i++ {
			runJob()
		}
		time.Sleep(300 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
