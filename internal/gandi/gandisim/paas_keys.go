package gandisim

// Member names of the PaaS API v3 structs, and the kind names checkParams
// and the XML-RPC codec share.
const (
	keyName         = "name"
	keyState        = "state"
	keySize         = "size"
	keyPaasID       = "paas_id"
	keyDateCreated  = "date_created"
	keyDateCreation = "date_creation"
	keyDatacenterID = "datacenter_id"
	keyConsole      = "console"
	keyVhost        = "vhost"
	keyDatabase     = "database"
	keyLanguage     = "language"
	keyDCCode       = "dc_code"

	kindInt     = "int"
	kindInts    = "ints"
	kindBool    = "bool"
	kindStrings = "strings"
	keyType     = "type"
	kindString  = "string"

	sizeXXL = "xxl"
)
