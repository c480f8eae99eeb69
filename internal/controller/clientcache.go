package controller

import (
	"fmt"
	"sync"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// ClientCache keeps one Gandi client, and so one token bound, per distinct
// credential, shared by every reconcile of every controller. Config.Budget,
// when set, is the one budget of the manager's egress IP that every client
// of the cache waits for (Gandi limits requests per IP, whatever the token).
type ClientCache struct {
	// Config is the template for new clients; its Credential is ignored.
	Config gandi.Config

	clients perCredential[*gandi.Client]
}

// NewClientCache returns a cache whose clients are built from cfg.
func NewClientCache(cfg gandi.Config) *ClientCache {
	return &ClientCache{Config: cfg}
}

// For returns the client for cred, creating it on first use.
func (c *ClientCache) For(cred gandi.Credential) (*gandi.Client, error) {
	return c.clients.get(cred, func() (*gandi.Client, error) {
		cfg := c.Config
		cfg.Credential = cred
		cl, err := gandi.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("create Gandi client: %w", err)
		}
		return cl, nil
	})
}

// Len is the number of distinct credentials seen.
func (c *ClientCache) Len() int { return c.clients.len() }

// perCredential keeps one client of an API per distinct credential, for
// both APIs' caches (ClientCache, PaaSClients).
type perCredential[C any] struct {
	mu      sync.Mutex
	clients map[string]C
}

// get returns the client of cred, built by build on first use.
func (p *perCredential[C]) get(cred gandi.Credential, build func() (C, error)) (C, error) {
	key := cred.Key()
	p.mu.Lock()
	defer p.mu.Unlock()
	if cl, ok := p.clients[key]; ok {
		return cl, nil
	}
	cl, err := build()
	if err != nil {
		return cl, err
	}
	if p.clients == nil {
		p.clients = map[string]C{}
	}
	p.clients[key] = cl
	return cl, nil
}

func (p *perCredential[C]) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.clients)
}
