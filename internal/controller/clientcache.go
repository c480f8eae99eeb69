package controller

import (
	"crypto/sha256"
	"encoding/hex"
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

	mu      sync.Mutex
	clients map[string]*gandi.Client
}

// NewClientCache returns a cache whose clients are built from cfg.
func NewClientCache(cfg gandi.Config) *ClientCache {
	return &ClientCache{Config: cfg, clients: map[string]*gandi.Client{}}
}

// For returns the client for cred, creating it on first use.
func (c *ClientCache) For(cred gandi.Credential) (*gandi.Client, error) {
	key := credentialKey(cred)
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[key]; ok {
		return cl, nil
	}
	cfg := c.Config
	cfg.Credential = cred
	cl, err := gandi.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("create Gandi client: %w", err)
	}
	c.clients[key] = cl
	return cl, nil
}

// Len is the number of distinct credentials seen.
func (c *ClientCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.clients)
}

// credentialKey identifies a credential without keeping it in clear as a map
// key (a heap dump then shows a hash, not a token).
func credentialKey(cred gandi.Credential) string {
	h := sha256.New()
	if cred.APIKey {
		h.Write([]byte("apikey\x00"))
	} else {
		h.Write([]byte("bearer\x00"))
	}
	h.Write([]byte(cred.Token))
	return hex.EncodeToString(h.Sum(nil))
}
