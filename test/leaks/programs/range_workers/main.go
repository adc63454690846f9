// Leak: every batch starts a small worker pool ranging over a jobs channel; the batch
// function feeds the jobs and waits on results but never closes jobs, so each batch leaves
// its workers parked in `for j := range jobs`.
package main

import (
	"time"

	"gomemleaks/harness"
)

func worker(jobs <-chan int, results chan<- int) {
	for j := range jobs {
		results <- j * j
	}
}

func batch(items []int) int {
	jobs := make(chan int)
	results := make(chan int, len(items))
	for w := 0; w < 4; w++ {
		go worker(jobs, results)
	}
	for _, it := range items {
		jobs <- it
	}
	sum := 0
	for range items {
		sum += <-results
	}
	return sum // jobs is never closed
}

func main() {
	r := harness.Start(harness.Options{SampleEvery: 60 * time.Millisecond})
	items := []int{1, 2, 3, 4, 5, 6, 7, 8}
	for round := 1; round <= 2; round++ {
		for i := 0; i < 120*round; i++ {
			batch(items)
		}
		time.Sleep(200 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
