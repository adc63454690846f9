// Leak (Go < 1.23): a hot loop selects on a message channel and time.After(time.Minute);
// every iteration leaves a timer and its channel live until the minute is up.
package main

import (
	"time"

	"gomemleaks/harness"
)

func pump(msgs <-chan int, n int) int {
	sum := 0
	for i := 0; i < n; i++ {
		select {
		case m := <-msgs:
			sum += m
		case <-time.After(time.Minute):
			return sum
		}
	}
	return sum
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 32 << 10})
	msgs := make(chan int, 1024)
	go func() {
		for i := 0; ; i++ {
			msgs <- i
		}
	}()
	for round := 1; round <= 2; round++ {
		pump(msgs, 150_000*round)
		r.Snapshot()
	}
	r.Finish()
}
