// Leak: a dispatcher drops requests when its queue is full, but the caller's goroutine
// still waits for the reply on its private channel (a closure blocked in `<-reply`).
package main

import (
	"time"

	"gomemleaks/harness"
)

type call struct {
	arg   int
	reply chan int
}

var queue = make(chan call, 16)

func dispatcher() {
	for c := range queue {
		if c.arg%3 == 0 {
			continue // dropped: the caller is never answered
		}
		c.reply <- c.arg * 2
	}
}

func submit(arg int) {
	go func() {
		c := call{arg: arg, reply: make(chan int)}
		queue <- c
		v := <-c.reply
		_ = v
	}()
}

func main() {
	r := harness.Start(harness.Options{SampleEvery: 80 * time.Millisecond})
	go dispatcher()
	arg := 0
	for round := 1; round <= 2; round++ {
		for i := 0; i < 1800*round; i++ {
			arg++
			submit(arg)
			if i%200 == 0 {
				time.Sleep(10 * time.Millisecond)
			}
		}
		time.Sleep(300 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
