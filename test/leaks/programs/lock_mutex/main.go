// Leak: an error path returns without unlocking the account's mutex; every later request
// for that account blocks in sync.(*Mutex).Lock forever.
package main

import (
	"errors"
	"sync"
	"time"

	"gomemleaks/harness"
)

type account struct {
	mu      sync.Mutex
	balance int
}

func (a *account) withdraw(n int) error {
	a.mu.Lock()
	if n > a.balance {
		return errors.New("insufficient funds") // forgot a.mu.Unlock()
	}
	a.balance -= n
	a.mu.Unlock()
	return nil
}

func handle(a *account, n int) {
	_ = a.withdraw(n)
}

func main() {
	r := harness.Start(harness.Options{MemProfileRate: 128 << 10})
	acct := &account{balance: 100}
	for round := 1; round <= 2; round++ {
		for i := 0; i < 350*round; i++ {
			go handle(acct, 7)
		}
		time.Sleep(250 * time.Millisecond)
		r.Snapshot()
	}
	r.Finish()
}
