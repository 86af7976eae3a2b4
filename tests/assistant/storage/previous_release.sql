-- A database made by the release before migrations (main at 701110c, tables by create_all), with
-- rows in every table; tests/assistant/storage/test_migrations.py upgrades it. Made by the code at that commit.
BEGIN TRANSACTION;
CREATE TABLE ag_agents (
	id INTEGER NOT NULL, 
	name VARCHAR(64) NOT NULL, 
	password_hash VARCHAR(256) NOT NULL, 
	is_admin BOOLEAN NOT NULL, 
	created_at FLOAT NOT NULL, 
	CONSTRAINT pk_ag_agents PRIMARY KEY (id), 
	CONSTRAINT uq_ag_agents_name UNIQUE (name)
);
INSERT INTO "ag_agents" VALUES(1,'alice','scrypt$bf7804dc1d7c74a4596aa8b701c8b593$0c4640c635814a0bd6a37d93409b8ac0bb175be63fe4fc4eb19354a8de7cc7c9',1,1700000051.0);
INSERT INTO "ag_agents" VALUES(2,'bob','scrypt$7f775bbab231e53c8199c25a1d9b7e03$c777989497264a5ba12480785e20bb2ccb9d6580bbfc7f4846d15ed0d426f8b5',0,1700000052.5);
CREATE TABLE ag_assignments (
	conversation_id VARCHAR(64) NOT NULL, 
	agent_id INTEGER NOT NULL, 
	taken_at FLOAT NOT NULL, 
	CONSTRAINT pk_ag_assignments PRIMARY KEY (conversation_id)
);
INSERT INTO "ag_assignments" VALUES('319f5242578747949a699e5012b15102',2,1700000055.5);
CREATE TABLE ag_notes (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	agent_id INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	CONSTRAINT pk_ag_notes PRIMARY KEY (id)
);
INSERT INTO "ag_notes" VALUES(1,'319f5242578747949a699e5012b15102',2,'private: asked about size 42',1700000061.5);
CREATE TABLE ag_sessions (
	token_hash VARCHAR(64) NOT NULL, 
	agent_id INTEGER NOT NULL, 
	expires_at FLOAT NOT NULL, 
	CONSTRAINT pk_ag_sessions PRIMARY KEY (token_hash)
);
INSERT INTO "ag_sessions" VALUES('2ac0242378265c1ee98d4926965c825e9d641b04efeb9757cbfd1bbda9c5bcde',2,1700043254.0);
CREATE TABLE as_cart_items (
	user_id VARCHAR(200) NOT NULL, 
	product_id VARCHAR(200) NOT NULL, 
	quantity INTEGER NOT NULL, 
	added_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_cart_items PRIMARY KEY (user_id, product_id)
);
INSERT INTO "as_cart_items" VALUES('demo:v:asha','p0',1,1700000009.0);
INSERT INTO "as_cart_items" VALUES('demo:v:ben','p1',2,1700000019.5);
INSERT INTO "as_cart_items" VALUES('demo:u:carla','p2',3,1700000030.0);
INSERT INTO "as_cart_items" VALUES('demo:v:李雷','p3',4,1700000040.5);
CREATE TABLE as_conversations (
	id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	language VARCHAR(8) NOT NULL, 
	state_json TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	updated_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_conversations PRIMARY KEY (id)
);
INSERT INTO "as_conversations" VALUES('f70ca60129fb4461b1f267dd590ce1a1','demo:v:asha','pending','en','{"dialogue": {"scene": "search", "last_shown": ["p0"]}, "memory": {"k": "中"}}',1700000001.5,1700000006.0);
INSERT INTO "as_conversations" VALUES('319f5242578747949a699e5012b15102','demo:v:ben','agent','en','{"dialogue": {"scene": "search", "last_shown": ["p1"]}, "memory": {"k": "中"}}',1700000012.0,1700000060.0);
INSERT INTO "as_conversations" VALUES('6eaa6ebdebdf4816bf472620c70cb760','demo:u:carla','resolved','en','{"dialogue": {"scene": "search", "last_shown": ["p2"]}, "memory": {"k": "中"}}',1700000022.5,1700000063.0);
INSERT INTO "as_conversations" VALUES('b518fd9f772643a59cdd57e7c843638f','demo:v:李雷','pending','zh','{"dialogue": {"scene": "search", "last_shown": ["p3"]}, "memory": {"k": "中"}}',1700000033.0,1700000037.5);
CREATE TABLE as_events (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	type VARCHAR(32) NOT NULL, 
	payload_json TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_events PRIMARY KEY (id)
);
INSERT INTO "as_events" VALUES(1,'f70ca60129fb4461b1f267dd590ce1a1','turn','{"scene": "search", "confidence": 0.9}',1700000007.5);
INSERT INTO "as_events" VALUES(2,'319f5242578747949a699e5012b15102','turn','{"scene": "search", "confidence": 0.9}',1700000018.0);
INSERT INTO "as_events" VALUES(3,'6eaa6ebdebdf4816bf472620c70cb760','turn','{"scene": "search", "confidence": 0.9}',1700000028.5);
INSERT INTO "as_events" VALUES(4,'b518fd9f772643a59cdd57e7c843638f','turn','{"scene": "search", "confidence": 0.9}',1700000039.0);
INSERT INTO "as_events" VALUES(5,'f70ca60129fb4461b1f267dd590ce1a1','action','{"action": "like", "product": "p0"}',1700000043.5);
INSERT INTO "as_events" VALUES(6,'319f5242578747949a699e5012b15102','agent','{"action": "take_over", "agent": "bob"}',1700000057.0);
INSERT INTO "as_events" VALUES(7,'6eaa6ebdebdf4816bf472620c70cb760','agent','{"action": "resolve", "agent": "alice"}',1700000064.5);
CREATE TABLE as_handoffs (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	reason TEXT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_handoffs PRIMARY KEY (id)
);
INSERT INTO "as_handoffs" VALUES(1,'319f5242578747949a699e5012b15102','demo:v:ben','wants a person about sizing','assigned',1700000048.0);
INSERT INTO "as_handoffs" VALUES(2,'6eaa6ebdebdf4816bf472620c70cb760','demo:u:carla','refund question','closed',1700000049.5);
CREATE TABLE as_messages (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	content TEXT NOT NULL, 
	scene VARCHAR(32) NOT NULL, 
	payload_json TEXT NOT NULL, 
	complete BOOLEAN NOT NULL, 
	created_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_messages PRIMARY KEY (id), 
	CONSTRAINT fk_as_messages_conversation_id_as_conversations FOREIGN KEY(conversation_id) REFERENCES as_conversations (id)
);
INSERT INTO "as_messages" VALUES(1,'f70ca60129fb4461b1f267dd590ce1a1','user','running shoes under 3000','','{}',1,1700000003.0);
INSERT INTO "as_messages" VALUES(2,'f70ca60129fb4461b1f267dd590ce1a1','assistant','Here are some picks (0).','search','{"cards": [{"id": "p0", "price": 1999.0}]}',1,1700000004.5);
INSERT INTO "as_messages" VALUES(3,'319f5242578747949a699e5012b15102','user','analog watch','','{}',1,1700000013.5);
INSERT INTO "as_messages" VALUES(4,'319f5242578747949a699e5012b15102','assistant','Here are some picks (1).','search','{"cards": [{"id": "p1", "price": 1999.0}]}',1,1700000015.0);
INSERT INTO "as_messages" VALUES(5,'6eaa6ebdebdf4816bf472620c70cb760','user','where is my order SA-100232?','','{}',1,1700000024.0);
INSERT INTO "as_messages" VALUES(6,'6eaa6ebdebdf4816bf472620c70cb760','assistant','Here are some picks (2).','search','{"cards": [{"id": "p2", "price": 1999.0}]}',1,1700000025.5);
INSERT INTO "as_messages" VALUES(7,'b518fd9f772643a59cdd57e7c843638f','user','推荐一款耳环','','{}',1,1700000034.5);
INSERT INTO "as_messages" VALUES(8,'b518fd9f772643a59cdd57e7c843638f','assistant','Here are some picks (3).','search','{"cards": [{"id": "p3", "price": 1999.0}]}',1,1700000036.0);
INSERT INTO "as_messages" VALUES(9,'319f5242578747949a699e5012b15102','agent','bob from our team has joined the chat.','agent','{"agent": "bob", "system": true}',1,1700000058.5);
INSERT INTO "as_messages" VALUES(10,'319f5242578747949a699e5012b15102','agent','Hi, I can help with sizing.','agent','{"agent": "bob"}',1,1700000060.0);
CREATE TABLE as_order_status (
	order_id VARCHAR(64) NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	updated_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_order_status PRIMARY KEY (order_id)
);
INSERT INTO "as_order_status" VALUES('SA-100232','cancelled',1700000045.0);
INSERT INTO "as_order_status" VALUES('SA-100233','returned',1700000046.5);
CREATE TABLE as_wishlist (
	user_id VARCHAR(200) NOT NULL, 
	product_id VARCHAR(200) NOT NULL, 
	added_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_wishlist PRIMARY KEY (user_id, product_id)
);
INSERT INTO "as_wishlist" VALUES('demo:v:asha','w0',1700000010.5);
INSERT INTO "as_wishlist" VALUES('demo:v:ben','w1',1700000021.0);
INSERT INTO "as_wishlist" VALUES('demo:u:carla','w2',1700000031.5);
INSERT INTO "as_wishlist" VALUES('demo:v:李雷','w3',1700000042.0);
CREATE TABLE rk_events (
	id INTEGER NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	event_type VARCHAR(32) NOT NULL, 
	product_id VARCHAR(200) NOT NULL, 
	weight FLOAT NOT NULL, 
	ts FLOAT NOT NULL, 
	recorded_at FLOAT NOT NULL, 
	CONSTRAINT pk_rk_events PRIMARY KEY (id), 
	CONSTRAINT fk_rk_events_user_id_rk_profiles FOREIGN KEY(user_id) REFERENCES rk_profiles (user_id)
);
INSERT INTO "rk_events" VALUES(1,'demo:v:asha','click','p0',0.6,1700000066.0,1700000066.0);
INSERT INTO "rk_events" VALUES(2,'demo:v:asha','view','p1',0.3,1700000067.5,1700000067.5);
INSERT INTO "rk_events" VALUES(3,'demo:v:asha','view','p2',0.3,1700000067.5,1700000067.5);
INSERT INTO "rk_events" VALUES(4,'demo:v:ben','purchase','p3',1.5,1700000069.0,1700000069.0);
INSERT INTO "rk_events" VALUES(5,'demo:v:dora','add_to_cart','p9',1.0,1700000100.0,1700000100.0);
CREATE TABLE rk_profiles (
	user_id VARCHAR(200) NOT NULL, 
	static_json TEXT NOT NULL, 
	affinities_json TEXT NOT NULL, 
	recent_json TEXT NOT NULL, 
	interest BLOB, 
	updated_at FLOAT, 
	n_events INTEGER NOT NULL, 
	CONSTRAINT pk_rk_profiles PRIMARY KEY (user_id)
);
INSERT INTO "rk_profiles" VALUES('demo:v:asha','{}','{"categories": {"shoes": 0.18479999999999996}, "brands": {"acme": 0.13679999999999998, "bolt": 0.04799999999999999}, "attributes": {}, "price_bands": {"p6": 0.07679999999999998, "p7": 0.04799999999999999, "p8": 0.059999999999999984}}','["p0", "p1", "p2"]',NULL,1700000067.5,3);
INSERT INTO "rk_profiles" VALUES('demo:v:ben','{}','{"categories": {"shoes": 0.29999999999999993}, "brands": {"bolt": 0.29999999999999993}, "attributes": {}, "price_bands": {"p8": 0.29999999999999993}}','["p3"]',NULL,1700000069.0,1);
INSERT INTO "rk_profiles" VALUES('demo:v:dora','{}','{"categories": {"watches": 0.19999999999999996}, "brands": {"titan": 0.19999999999999996}, "attributes": {}, "price_bands": {"p11": 0.19999999999999996}}','["p9"]',X'00000000CDCC4C3ECDCCCC3E9A99193F',1700000100.0,1);
CREATE INDEX ix_as_conversations_user_id ON as_conversations (user_id);
CREATE INDEX ix_as_conversations_updated_at ON as_conversations (updated_at);
CREATE INDEX ix_as_events_conversation_id ON as_events (conversation_id);
CREATE INDEX ix_as_handoffs_conversation_id ON as_handoffs (conversation_id);
CREATE INDEX ix_ag_sessions_agent_id ON ag_sessions (agent_id);
CREATE INDEX ix_ag_assignments_agent_id ON ag_assignments (agent_id);
CREATE INDEX ix_ag_notes_conversation_id ON ag_notes (conversation_id);
CREATE INDEX ix_as_messages_conversation_id ON as_messages (conversation_id);
CREATE INDEX ix_rk_events_user_id ON rk_events (user_id);
COMMIT;
