package gandisim

import (
	"net"
	"net/http"
	"time"
)

// ipWindow holds the arrival times of one client IP's requests in the last
// minute (oldest first), its total and the most it ever sent in a minute.
type ipWindow struct {
	times []time.Time
	total int
	peak  int
}

// clientIP is the address a request came from, without its port: Gandi's
// limit is per IP, so two connections of one process share it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ipVerdict is the per-IP limit's answer to one request: limited, and for
// how long.
type ipVerdict struct {
	limited    bool
	retryAfter time.Duration
}

// answerIPLimit answers a request over the per-IP limit with a 429 and
// Retry-After, and reports whether it did.
func (s *Server) answerIPLimit(w http.ResponseWriter, v ipVerdict, entry *RequestLog) bool {
	if !v.limited {
		return false
	}
	entry.Fault = s.injected(FaultIPRateLimited)
	e := newError(http.StatusTooManyRequests, "Too many requests, slow down.")
	e.retryAfter = v.retryAfter
	writeError(w, e)
	return true
}

// ipArrival counts a request from r's IP in its sliding one-minute window
// and applies the per-IP limit: past it, the verdict says how long until
// the window has room again. Every request counts, the refused ones too
// (see the package doc), so a client that ignores Retry-After stays
// refused.
func (s *Server) ipArrival(r *http.Request) ipVerdict {
	s.mu.Lock()
	defer s.mu.Unlock()
	ip := clientIP(r)
	now := s.now()
	win := s.ipWindows[ip]
	if win == nil {
		win = &ipWindow{}
		s.ipWindows[ip] = win
	}
	cutoff := now.Add(-time.Minute)
	drop := 0
	for drop < len(win.times) && !win.times[drop].After(cutoff) {
		drop++
	}
	win.times = append(win.times[drop:], now)
	win.total++
	n := len(win.times)
	win.peak = max(win.peak, n)
	if s.ipRateLimit <= 0 || n <= s.ipRateLimit {
		return ipVerdict{}
	}
	// The window has room for one more once all but limit-1 of the n
	// requests in it, this one included, are a minute old.
	return ipVerdict{limited: true, retryAfter: win.times[n-s.ipRateLimit].Add(time.Minute).Sub(now)}
}

// SetIPRateLimit changes the per-IP limit per minute (0 turns it off) and,
// like SetRateLimit, starts every window afresh, per-IP figures included.
func (s *Server) SetIPRateLimit(perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ipRateLimit = perMinute
	s.ipWindows = map[string]*ipWindow{}
}

// IPRateLimit is the per-IP limit per minute (0: off).
func (s *Server) IPRateLimit() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ipRateLimit
}

// RequestsByIP counts the API requests received from each client IP (v5
// and XML-RPC, refused ones included, not the control API).
func (s *Server) RequestsByIP() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.ipWindows))
	for ip, w := range s.ipWindows {
		out[ip] = w.total
	}
	return out
}

// PeakPerMinuteByIP is, for each client IP, the most requests it sent in
// any sliding minute: what a per-IP limit compares with.
func (s *Server) PeakPerMinuteByIP() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.ipWindows))
	for ip, w := range s.ipWindows {
		out[ip] = w.peak
	}
	return out
}

// resetIPCounters zeroes the totals and peaks; the sliding windows stay, so
// a reset never lets a client past the limit. Called with s.mu held.
func (s *Server) resetIPCounters() {
	for ip, w := range s.ipWindows {
		if len(w.times) == 0 {
			delete(s.ipWindows, ip)
			continue
		}
		w.total, w.peak = 0, 0
	}
}
