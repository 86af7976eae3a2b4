-- A database made by the release before migrations (main at 19e030c: every table by create_all), with
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
INSERT INTO "ag_agents" VALUES(1,'alice','scrypt$ae8e57c5deddd151e23ccf813755983a$56dc7d24dad13d75f528f6cdd8b93723aff2a2ad618e963578ed347a7ab3eda6',1,1700000073.5);
INSERT INTO "ag_agents" VALUES(2,'bob','scrypt$615417a1035ef6afa5062d66f8330d21$cdb22ccbfe57dd45687966e0495c623965ac55f8bc35b19c7114a8f663ec6538',0,1700000075.0);
CREATE TABLE ag_assignments (
	conversation_id VARCHAR(64) NOT NULL, 
	agent_id INTEGER NOT NULL, 
	taken_at FLOAT NOT NULL, 
	CONSTRAINT pk_ag_assignments PRIMARY KEY (conversation_id)
);
INSERT INTO "ag_assignments" VALUES('6199342913bf40b89190322e31cfffbf',2,1700000078.0);
CREATE TABLE ag_notes (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	agent_id INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	CONSTRAINT pk_ag_notes PRIMARY KEY (id)
);
INSERT INTO "ag_notes" VALUES(1,'6199342913bf40b89190322e31cfffbf',2,'private: asked about size 42',1700000087.0);
CREATE TABLE ag_sessions (
	token_hash VARCHAR(64) NOT NULL, 
	agent_id INTEGER NOT NULL, 
	expires_at FLOAT NOT NULL, 
	CONSTRAINT pk_ag_sessions PRIMARY KEY (token_hash)
);
INSERT INTO "ag_sessions" VALUES('c9ead1f6af0e2fd5def41f33051f0b1b07623c9468e297984ef9786f5087e691',2,1700043276.5);
CREATE TABLE as_cart_items (
	user_id VARCHAR(200) NOT NULL, 
	product_id VARCHAR(200) NOT NULL, 
	quantity INTEGER NOT NULL, 
	added_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_cart_items PRIMARY KEY (user_id, product_id)
);
INSERT INTO "as_cart_items" VALUES('demo:v:asha','p0',1,1700000009.0);
INSERT INTO "as_cart_items" VALUES('demo:v:ben','p1',2,1700000024.0);
INSERT INTO "as_cart_items" VALUES('demo:u:carla','p2',3,1700000039.0);
INSERT INTO "as_cart_items" VALUES('demo:v:李雷','p3',4,1700000054.0);
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
INSERT INTO "as_conversations" VALUES('2f09ad05811a46019ae17029f5bbf43d','demo:v:asha','pending','en','{"dialogue": {"scene": "search", "last_shown": ["p0"]}, "memory": {"k": "中"}}',1700000001.5,1700000006.0);
INSERT INTO "as_conversations" VALUES('6199342913bf40b89190322e31cfffbf','demo:v:ben','agent','en','{"dialogue": {"scene": "search", "last_shown": ["p1"]}, "memory": {"k": "中"}}',1700000016.5,1700000085.5);
INSERT INTO "as_conversations" VALUES('328184f27d15416e82aaf102e6cd969f','demo:u:carla','resolved','en','{"dialogue": {"scene": "search", "last_shown": ["p2"]}, "memory": {"k": "中"}}',1700000031.5,1700000088.5);
INSERT INTO "as_conversations" VALUES('eece12cec3d7420a886e1f9d44ee8b52','demo:v:李雷','pending','zh','{"dialogue": {"scene": "search", "last_shown": ["p3"]}, "memory": {"k": "中"}}',1700000046.5,1700000051.0);
CREATE TABLE as_events (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	type VARCHAR(32) NOT NULL, 
	payload_json TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_events PRIMARY KEY (id)
);
INSERT INTO "as_events" VALUES(1,'2f09ad05811a46019ae17029f5bbf43d','turn','{"scene": "search", "confidence": 0.9}',1700000007.5);
INSERT INTO "as_events" VALUES(2,'6199342913bf40b89190322e31cfffbf','turn','{"scene": "search", "confidence": 0.9}',1700000022.5);
INSERT INTO "as_events" VALUES(3,'328184f27d15416e82aaf102e6cd969f','turn','{"scene": "search", "confidence": 0.9}',1700000037.5);
INSERT INTO "as_events" VALUES(4,'eece12cec3d7420a886e1f9d44ee8b52','turn','{"scene": "search", "confidence": 0.9}',1700000052.5);
INSERT INTO "as_events" VALUES(5,'2f09ad05811a46019ae17029f5bbf43d','action','{"action": "like", "product": "p0"}',1700000063.0);
INSERT INTO "as_events" VALUES(6,'6199342913bf40b89190322e31cfffbf','agent','{"action": "take_over", "agent": "bob"}',1700000079.5);
INSERT INTO "as_events" VALUES(7,'328184f27d15416e82aaf102e6cd969f','agent','{"action": "resolve", "agent": "alice"}',1700000090.0);
CREATE TABLE as_handoffs (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	reason TEXT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_handoffs PRIMARY KEY (id)
);
INSERT INTO "as_handoffs" VALUES(1,'6199342913bf40b89190322e31cfffbf','demo:v:ben','wants a person about sizing','assigned',1700000067.5);
INSERT INTO "as_handoffs" VALUES(2,'328184f27d15416e82aaf102e6cd969f','demo:u:carla','refund question','closed',1700000070.5);
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
INSERT INTO "as_messages" VALUES(1,'2f09ad05811a46019ae17029f5bbf43d','user','running shoes under 3000','','{}',1,1700000003.0);
INSERT INTO "as_messages" VALUES(2,'2f09ad05811a46019ae17029f5bbf43d','assistant','Here are some picks (0).','search','{"cards": [{"id": "p0", "price": 1999.0}]}',1,1700000004.5);
INSERT INTO "as_messages" VALUES(3,'6199342913bf40b89190322e31cfffbf','user','analog watch','','{}',1,1700000018.0);
INSERT INTO "as_messages" VALUES(4,'6199342913bf40b89190322e31cfffbf','assistant','Here are some picks (1).','search','{"cards": [{"id": "p1", "price": 1999.0}]}',1,1700000019.5);
INSERT INTO "as_messages" VALUES(5,'328184f27d15416e82aaf102e6cd969f','user','where is my order SA-100232?','','{}',1,1700000033.0);
INSERT INTO "as_messages" VALUES(6,'328184f27d15416e82aaf102e6cd969f','assistant','Here are some picks (2).','search','{"cards": [{"id": "p2", "price": 1999.0}]}',1,1700000034.5);
INSERT INTO "as_messages" VALUES(7,'eece12cec3d7420a886e1f9d44ee8b52','user','推荐一款耳环','','{}',1,1700000048.0);
INSERT INTO "as_messages" VALUES(8,'eece12cec3d7420a886e1f9d44ee8b52','assistant','Here are some picks (3).','search','{"cards": [{"id": "p3", "price": 1999.0}]}',1,1700000049.5);
INSERT INTO "as_messages" VALUES(9,'6199342913bf40b89190322e31cfffbf','agent','bob from our team has joined the chat.','agent','{"agent": "bob", "system": true}',1,1700000082.5);
INSERT INTO "as_messages" VALUES(10,'6199342913bf40b89190322e31cfffbf','agent','Hi, I can help with sizing.','agent','{"agent": "bob"}',1,1700000085.5);
CREATE TABLE as_order_status (
	order_id VARCHAR(64) NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	updated_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_order_status PRIMARY KEY (order_id)
);
INSERT INTO "as_order_status" VALUES('SA-100232','cancelled',1700000064.5);
INSERT INTO "as_order_status" VALUES('SA-100233','returned',1700000066.0);
CREATE TABLE as_wishlist (
	user_id VARCHAR(200) NOT NULL, 
	product_id VARCHAR(200) NOT NULL, 
	added_at FLOAT NOT NULL, 
	CONSTRAINT pk_as_wishlist PRIMARY KEY (user_id, product_id)
);
INSERT INTO "as_wishlist" VALUES('demo:v:asha','w0',1700000010.5);
INSERT INTO "as_wishlist" VALUES('demo:v:ben','w1',1700000025.5);
INSERT INTO "as_wishlist" VALUES('demo:u:carla','w2',1700000040.5);
INSERT INTO "as_wishlist" VALUES('demo:v:李雷','w3',1700000055.5);
CREATE TABLE ex_assignments (
	experiment VARCHAR(64) NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	variant VARCHAR(64) NOT NULL, 
	assigned_at FLOAT NOT NULL, 
	shown INTEGER NOT NULL, 
	clicks INTEGER NOT NULL, 
	carts INTEGER NOT NULL, 
	CONSTRAINT pk_ex_assignments PRIMARY KEY (experiment, user_id)
);
INSERT INTO "ex_assignments" VALUES('ranker-vs-retrieval','demo:v:asha','learned',1700000012.0,2,1,0);
INSERT INTO "ex_assignments" VALUES('ranker-vs-retrieval','demo:v:ben','retrieval',1700000027.0,2,1,0);
INSERT INTO "ex_assignments" VALUES('ranker-vs-retrieval','demo:u:carla','learned',1700000042.0,2,1,0);
INSERT INTO "ex_assignments" VALUES('ranker-vs-retrieval','demo:v:李雷','retrieval',1700000057.0,2,1,0);
CREATE TABLE in_actions (
	id INTEGER NOT NULL, 
	ts FLOAT NOT NULL, 
	day VARCHAR(10) NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	product_id VARCHAR(200) NOT NULL, 
	action VARCHAR(16) NOT NULL, 
	impression_id INTEGER, 
	position INTEGER, 
	scene VARCHAR(32) NOT NULL, 
	variant VARCHAR(200) NOT NULL, 
	CONSTRAINT pk_in_actions PRIMARY KEY (id)
);
INSERT INTO "in_actions" VALUES(1,1700000015.0,'2023-11-14','2f09ad05811a46019ae17029f5bbf43d','demo:v:asha','p0','click',1,1,'search','ranker-vs-retrieval=learned');
INSERT INTO "in_actions" VALUES(2,1700000030.0,'2023-11-14','6199342913bf40b89190322e31cfffbf','demo:v:ben','p1','click',3,1,'search','ranker-vs-retrieval=retrieval');
INSERT INTO "in_actions" VALUES(3,1700000045.0,'2023-11-14','328184f27d15416e82aaf102e6cd969f','demo:u:carla','p2','click',5,1,'search','ranker-vs-retrieval=learned');
INSERT INTO "in_actions" VALUES(4,1700000060.0,'2023-11-14','eece12cec3d7420a886e1f9d44ee8b52','demo:v:李雷','p3','click',7,1,'search','ranker-vs-retrieval=retrieval');
CREATE TABLE in_daily_counts (
	day VARCHAR(10) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	"key" VARCHAR(300) NOT NULL, 
	n INTEGER NOT NULL, 
	CONSTRAINT pk_in_daily_counts PRIMARY KEY (day, kind, "key")
);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','turns','search|en',3);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','conversations','',4);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','model_calls','',4);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','model_sentences','',8);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','first_card_ms','55',3);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','first_token_ms','66',4);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','shown','1|search|ranker-vs-retrieval=learned',2);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','shown','2|search|ranker-vs-retrieval=learned',2);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','click','1|search|ranker-vs-retrieval=learned',2);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','shown','1|search|ranker-vs-retrieval=retrieval',2);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','shown','2|search|ranker-vs-retrieval=retrieval',2);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','click','1|search|ranker-vs-retrieval=retrieval',2);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','turns','search|zh',1);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','first_card_ms','56',1);
INSERT INTO "in_daily_counts" VALUES('2023-11-14','turns','out_of_scope|en',1);
CREATE TABLE in_handoffs (
	ticket_id INTEGER NOT NULL, 
	ts FLOAT NOT NULL, 
	day VARCHAR(10) NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	reason TEXT NOT NULL, 
	picked_at FLOAT, 
	resolved_at FLOAT, 
	CONSTRAINT pk_in_handoffs PRIMARY KEY (ticket_id)
);
INSERT INTO "in_handoffs" VALUES(1,1700000069.0,'2023-11-14','6199342913bf40b89190322e31cfffbf','explicit','wants a person about sizing',1700000081.0,NULL);
INSERT INTO "in_handoffs" VALUES(2,1700000072.0,'2023-11-14','328184f27d15416e82aaf102e6cd969f','frustration','refund question',NULL,1700000091.5);
CREATE TABLE in_impressions (
	id INTEGER NOT NULL, 
	turn_id INTEGER NOT NULL, 
	ts FLOAT NOT NULL, 
	day VARCHAR(10) NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	product_id VARCHAR(200) NOT NULL, 
	position INTEGER NOT NULL, 
	scene VARCHAR(32) NOT NULL, 
	variant VARCHAR(200) NOT NULL, 
	features BLOB, 
	CONSTRAINT pk_in_impressions PRIMARY KEY (id)
);
INSERT INTO "in_impressions" VALUES(1,1,1700000013.5,'2023-11-14','2f09ad05811a46019ae17029f5bbf43d','demo:v:asha','p0',1,'search','ranker-vs-retrieval=learned',X'000000000000803F00000040');
INSERT INTO "in_impressions" VALUES(2,1,1700000013.5,'2023-11-14','2f09ad05811a46019ae17029f5bbf43d','demo:v:asha','p1',2,'search','ranker-vs-retrieval=learned',NULL);
INSERT INTO "in_impressions" VALUES(3,2,1700000028.5,'2023-11-14','6199342913bf40b89190322e31cfffbf','demo:v:ben','p1',1,'search','ranker-vs-retrieval=retrieval',X'000000000000803F00000040');
INSERT INTO "in_impressions" VALUES(4,2,1700000028.5,'2023-11-14','6199342913bf40b89190322e31cfffbf','demo:v:ben','p2',2,'search','ranker-vs-retrieval=retrieval',NULL);
INSERT INTO "in_impressions" VALUES(5,3,1700000043.5,'2023-11-14','328184f27d15416e82aaf102e6cd969f','demo:u:carla','p2',1,'search','ranker-vs-retrieval=learned',X'000000000000803F00000040');
INSERT INTO "in_impressions" VALUES(6,3,1700000043.5,'2023-11-14','328184f27d15416e82aaf102e6cd969f','demo:u:carla','p3',2,'search','ranker-vs-retrieval=learned',NULL);
INSERT INTO "in_impressions" VALUES(7,4,1700000058.5,'2023-11-14','eece12cec3d7420a886e1f9d44ee8b52','demo:v:李雷','p3',1,'search','ranker-vs-retrieval=retrieval',X'000000000000803F00000040');
INSERT INTO "in_impressions" VALUES(8,4,1700000058.5,'2023-11-14','eece12cec3d7420a886e1f9d44ee8b52','demo:v:李雷','p4',2,'search','ranker-vs-retrieval=retrieval',NULL);
CREATE TABLE in_turns (
	id INTEGER NOT NULL, 
	ts FLOAT NOT NULL, 
	day VARCHAR(10) NOT NULL, 
	conversation_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(200) NOT NULL, 
	scene VARCHAR(32) NOT NULL, 
	language VARCHAR(8) NOT NULL, 
	"query" TEXT NOT NULL, 
	query_key VARCHAR(120) NOT NULL, 
	rank_query TEXT NOT NULL, 
	result_count INTEGER NOT NULL, 
	unanswered VARCHAR(32) NOT NULL, 
	first_card_ms FLOAT, 
	first_token_ms FLOAT, 
	elapsed_ms FLOAT NOT NULL, 
	model_calls INTEGER NOT NULL, 
	model_sentences INTEGER NOT NULL, 
	template_fallbacks INTEGER NOT NULL, 
	removed_sentences INTEGER NOT NULL, 
	variant VARCHAR(200) NOT NULL, 
	CONSTRAINT pk_in_turns PRIMARY KEY (id)
);
INSERT INTO "in_turns" VALUES(1,1700000013.5,'2023-11-14','2f09ad05811a46019ae17029f5bbf43d','demo:v:asha','search','en','running shoes under 3000','running shoes under 3000','running shoes under 3000',5,'',120.0,300.0,800.0,1,2,0,0,'ranker-vs-retrieval=learned');
INSERT INTO "in_turns" VALUES(2,1700000028.5,'2023-11-14','6199342913bf40b89190322e31cfffbf','demo:v:ben','search','en','analog watch','analog watch','analog watch',5,'',121.0,300.0,800.0,1,2,0,0,'ranker-vs-retrieval=retrieval');
INSERT INTO "in_turns" VALUES(3,1700000043.5,'2023-11-14','328184f27d15416e82aaf102e6cd969f','demo:u:carla','search','en','where is my order SA-100232?','where is my order sa-100232?','where is my order SA-100232?',5,'',122.0,300.0,800.0,1,2,0,0,'ranker-vs-retrieval=learned');
INSERT INTO "in_turns" VALUES(4,1700000058.5,'2023-11-14','eece12cec3d7420a886e1f9d44ee8b52','demo:v:李雷','search','zh','推荐一款耳环','推荐一款耳环','推荐一款耳环',5,'',123.0,300.0,800.0,1,2,0,0,'ranker-vs-retrieval=retrieval');
INSERT INTO "in_turns" VALUES(5,1700000061.5,'2023-11-14','2f09ad05811a46019ae17029f5bbf43d','demo:v:asha','out_of_scope','en','what''s the weather','what''s the weather','',0,'out_of_scope',NULL,NULL,0.0,0,0,0,0,'');
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
INSERT INTO "rk_events" VALUES(1,'demo:v:asha','click','p0',0.6,1700000096.0,1700000096.0);
INSERT INTO "rk_events" VALUES(2,'demo:v:asha','view','p1',0.3,1700000097.5,1700000097.5);
INSERT INTO "rk_events" VALUES(3,'demo:v:asha','view','p2',0.3,1700000097.5,1700000097.5);
INSERT INTO "rk_events" VALUES(4,'demo:v:ben','purchase','p3',1.5,1700000099.0,1700000099.0);
INSERT INTO "rk_events" VALUES(5,'demo:v:dora','add_to_cart','p9',1.0,1700000100.5,1700000100.5);
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
INSERT INTO "rk_profiles" VALUES('demo:v:asha','{}','{"categories": {"shoes": 0.18479999999999996}, "brands": {"acme": 0.13679999999999998, "bolt": 0.04799999999999999}, "attributes": {}, "price_bands": {"p6": 0.07679999999999998, "p7": 0.04799999999999999, "p8": 0.059999999999999984}}','["p0", "p1", "p2"]',NULL,1700000097.5,3);
INSERT INTO "rk_profiles" VALUES('demo:v:ben','{}','{"categories": {"shoes": 0.29999999999999993}, "brands": {"bolt": 0.29999999999999993}, "attributes": {}, "price_bands": {"p8": 0.29999999999999993}}','["p3"]',NULL,1700000099.0,1);
INSERT INTO "rk_profiles" VALUES('demo:v:dora','{}','{"categories": {"shoes": 0.19999999999999996}, "brands": {"bolt": 0.19999999999999996}, "attributes": {}, "price_bands": {"p9": 0.19999999999999996}}','["p9"]',X'00000000CDCC4C3ECDCCCC3E9A99193F',1700000100.5,1);
CREATE TABLE rk_promotions (
	id INTEGER NOT NULL, 
	ts FLOAT NOT NULL, 
	candidate VARCHAR(120) NOT NULL, 
	current VARCHAR(120) NOT NULL, 
	promoted BOOLEAN NOT NULL, 
	reason TEXT NOT NULL, 
	figures_json TEXT NOT NULL, 
	model_path TEXT NOT NULL, 
	CONSTRAINT pk_rk_promotions PRIMARY KEY (id)
);
INSERT INTO "rk_promotions" VALUES(1,1700000094.5,'ranker-2026-11-28.txt','ranker.txt',0,'IPS-DCG not better','{"ips_dcg": [0.41, 0.4]}','');
CREATE INDEX ix_as_conversations_user_id ON as_conversations (user_id);
CREATE INDEX ix_as_conversations_updated_at ON as_conversations (updated_at);
CREATE INDEX ix_as_events_conversation_id ON as_events (conversation_id);
CREATE INDEX ix_as_handoffs_conversation_id ON as_handoffs (conversation_id);
CREATE INDEX ix_ag_sessions_agent_id ON ag_sessions (agent_id);
CREATE INDEX ix_ag_assignments_agent_id ON ag_assignments (agent_id);
CREATE INDEX ix_ag_notes_conversation_id ON ag_notes (conversation_id);
CREATE INDEX ix_in_turns_unanswered ON in_turns (unanswered, day, query_key);
CREATE INDEX ix_in_turns_day_conversation ON in_turns (day, conversation_id);
CREATE INDEX ix_in_impressions_conversation_product ON in_impressions (conversation_id, product_id);
CREATE INDEX ix_in_actions_impression ON in_actions (impression_id);
CREATE INDEX ix_in_handoffs_conversation_id ON in_handoffs (conversation_id);
CREATE INDEX ix_in_handoffs_ts ON in_handoffs (ts);
CREATE INDEX ix_ex_assignments_totals ON ex_assignments (experiment, variant, shown, clicks, carts);
CREATE INDEX ix_ex_assignments_user ON ex_assignments (user_id);
CREATE INDEX ix_as_messages_conversation_id ON as_messages (conversation_id);
CREATE INDEX ix_rk_events_user_id ON rk_events (user_id);
COMMIT;
