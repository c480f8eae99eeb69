package testenv

import (
	"bytes"
	"sync"
)

// LogBuffer collects the concurrent log writes of the managers a test
// runs, so that the test can search them (for a secret that must never be
// logged) or print their tail when it fails.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
