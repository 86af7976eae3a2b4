CREATE TABLE ag_agents (
	id INTEGER NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	password_hash VARCHAR(256) NOT NULL, 
	is_admin BOOLEAN NOT NULL, 
	created_at FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE ag_assignments (
	conversation_id VARCHAR(64) NOT NULL, 
	agent_id INTEGER NOT NULL, 
	taken_at FLOAT NOT NULL, 
	PRIMARY KEY (conversation_id)
);
CREATE TABLE ag_notes (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	agent_id INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE ag_sessions (
	token_hash VARCHAR(64) NOT NULL, 
	agent_id INTEGER NOT NULL, 
	expires_at FLOAT NOT NULL, 
	PRIMARY KEY (token_hash)
);
CREATE TABLE as_cart_items (
	user_id VARCHAR(200) NOT NULL, 
	product_id VARCHAR(200) NOT NULL, 
	quantity INTEGER NOT NULL, 
	added_at FLOAT NOT NULL, 
	PRIMARY KEY (user_id, product_id)
);
CREATE TABLE as_conversations (
	id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	language VARCHAR(8) NOT NULL, 
	state_json TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	updated_at FLOAT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE as_events (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	type VARCHAR(32) NOT NULL, 
	payload_json TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE as_handoffs (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	reason TEXT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at FLOAT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE as_messages (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	content TEXT NOT NULL, 
	scene VARCHAR(32) NOT NULL, 
	payload_json TEXT NOT NULL, 
	complete BOOLEAN NOT NULL, 
	created_at FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(conversation_id) REFERENCES as_conversations (id)
);
CREATE TABLE as_order_status (
	order_id VARCHAR(64) NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	updated_at FLOAT NOT NULL, 
	PRIMARY KEY (order_id)
);
CREATE TABLE as_wishlist (
	user_id VARCHAR(200) NOT NULL, 
	product_id VARCHAR(200) NOT NULL, 
	added_at FLOAT NOT NULL, 
	PRIMARY KEY (user_id, product_id)
);
CREATE TABLE rk_events (
	id INTEGER NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	event_type VARCHAR(32) NOT NULL, 
	product_id VARCHAR(200) NOT NULL, 
	weight FLOAT NOT NULL, 
	ts FLOAT NOT NULL, 
	recorded_at FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES rk_profiles (user_id)
);
CREATE TABLE rk_profiles (
	user_id VARCHAR(200) NOT NULL, 
	static_json TEXT NOT NULL, 
	affinities_json TEXT NOT NULL, 
	recent_json TEXT NOT NULL, 
	interest BLOB, 
	updated_at FLOAT, 
	n_events INTEGER NOT NULL, 
	PRIMARY KEY (user_id)
);
CREATE INDEX ix_ag_assignments_agent_id ON ag_assignments (agent_id);
CREATE INDEX ix_ag_notes_conversation_id ON ag_notes (conversation_id);
CREATE INDEX ix_ag_sessions_agent_id ON ag_sessions (agent_id);
CREATE INDEX ix_as_conversations_updated_at ON as_conversations (updated_at);
CREATE INDEX ix_as_conversations_user_id ON as_conversations (user_id);
CREATE INDEX ix_as_events_conversation_id ON as_events (conversation_id);
CREATE INDEX ix_as_handoffs_conversation_id ON as_handoffs (conversation_id);
CREATE INDEX ix_as_messages_conversation_id ON as_messages (conversation_id);
CREATE INDEX ix_rk_events_user_id ON rk_events (user_id);
