package gandi

// Size is the size of an instance (reference: PaasSizeEnum).
type Size string

// The sizes of the reference, smallest first.
const (
	SizeS     Size = "s"
	SizeSPlus Size = "s+"
	SizeM     Size = "m"
	SizeL     Size = "l"
	SizeXL    Size = "xl"
	SizeXXL   Size = "xxl"
)

// Sizes returns every valid Size, smallest first (a new slice each call, so
// callers may keep or modify it).
func Sizes() []Size { return []Size{SizeS, SizeSPlus, SizeM, SizeL, SizeXL, SizeXXL} }

// Valid reports whether s is one of the reference's sizes.
func (s Size) Valid() bool { return contains(Sizes(), s) }

// State is the administrative state of an instance (reference: PaasState).
type State string

// The states of the reference.
const (
	StateRunning       State = "running"
	StateBeingCreated  State = "being_created"
	StateLocked        State = "locked"
	StateDeleted       State = "deleted"
	StatePaused        State = "paused"
	StateBeingMigrated State = "being_migrated"
	StateBeingDeleted  State = "being_deleted"
)

// States returns every valid State.
func States() []State {
	return []State{StateRunning, StateBeingCreated, StateLocked, StateDeleted,
		StatePaused, StateBeingMigrated, StateBeingDeleted}
}

// Valid reports whether s is one of the reference's states.
func (s State) Valid() bool { return contains(States(), s) }

// ServiceType is the type of an instance: language and database (reference:
// PaasTypeServiceName and PaasTypeService, which list the same values).
// paas.type.list answers the types an account may use right now; this list
// is the reference's, useful to reject typos before any call.
type ServiceType string

// ServiceTypes returns every service type of the reference, in its order.
func ServiceTypes() []ServiceType {
	return []ServiceType{
		"php5.4mysql", "php5.4pgsql", "nodejspgsql", "nodejsmongodb", "php5.4mongodb",
		"nodejsmysql", "pythonmysql", "pythonpgsql", "pythonmongodb", "rubymysql",
		"rubypgsql", "rubymongodb", "phpmysql", "phppgsql", "phpmongodb",
		"nodejsmysql5.6", "nodejspgsql9.4", "nodejsmongodb2.4", "php7mysql5.6", "php7pgsql9.4",
		"php7mongodb2.4", "php5.7mysql5.6", "php5.6pgsql9.4", "php5.6mongodb2.4", "nodejs6mongodb3.2",
		"nodejs6mysql5.6", "nodejs6mysql5.7", "nodejs6pgsql9.6", "php5.6mongodb3.2", "php5.6mysql5.7",
		"php5.6pgsql9.6", "php7.1mongodb3.2", "php7.1mysql5.6", "php7.1mysql5.7", "php7.1pgsql9.6",
		"python2.7mongodb3.2", "python2.7mysql5.6", "python2.7mysql5.7", "python2.7pgsql9.6", "python3.6mongodb3.2",
		"python3.6mysql5.6", "python3.6mysql5.7", "python3.6pgsql9.6", "ruby2.3mysql5.6", "ruby2.3mysql5.7",
		"ruby2.3pgsql9.6", "ruby2.3pgsql9.7", "ruby2.4mongodb3.2", "ruby2.4mysql5.6", "ruby2.4mysql5.7",
		"ruby2.4pgsql9.6", "php7.3mysql5.7", "php7.3pgsql9.6", "php7.3mongodb3.2", "php.5.4mysql.5.5",
		"php7.3mysql5.5", "php7.2mysql5.7",
	}
}

// Valid reports whether t is one of the reference's service types.
func (t ServiceType) Valid() bool { return contains(ServiceTypes(), t) }

// Visibility is the status of a PaaS type image (reference: PaasTypeVisibility).
type Visibility string

// The visibilities of the reference.
const (
	VisibilityAll        Visibility = "all"        // the normal image
	VisibilityBeta       Visibility = "beta"       // a new image, soon "all"
	VisibilityDeprecated Visibility = "deprecated" // no longer supported, soon unavailable
	VisibilityAlpha      Visibility = "alpha"
	VisibilityInternal   Visibility = "internal"
)

// Visibilities returns every valid Visibility.
func Visibilities() []Visibility {
	return []Visibility{VisibilityAll, VisibilityBeta, VisibilityDeprecated, VisibilityAlpha, VisibilityInternal}
}

// Valid reports whether v is one of the reference's visibilities.
func (v Visibility) Valid() bool { return contains(Visibilities(), v) }

// Step is the progress of an operation (FACTS: BILL, WAIT, RUN, DONE, ERROR,
// SUPPORT, CANCEL).
type Step string

// The operation steps.
const (
	StepBill    Step = "BILL"
	StepWait    Step = "WAIT"
	StepRun     Step = "RUN"
	StepDone    Step = "DONE"
	StepError   Step = "ERROR"
	StepSupport Step = "SUPPORT"
	StepCancel  Step = "CANCEL"
)

// Steps returns every known Step.
func Steps() []Step {
	return []Step{StepBill, StepWait, StepRun, StepDone, StepError, StepSupport, StepCancel}
}

// Valid reports whether s is a known step.
func (s Step) Valid() bool { return contains(Steps(), s) }

// IsTerminal reports whether an operation in this step will not change any
// more (DONE, ERROR, SUPPORT, CANCEL).
func (s Step) IsTerminal() bool { return s == StepDone || s.IsFailure() }

// IsFailure reports whether the step is a terminal failure (ERROR, SUPPORT,
// CANCEL): the operation's last_error says why.
func (s Step) IsFailure() bool { return s == StepError || s == StepSupport || s == StepCancel }

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
