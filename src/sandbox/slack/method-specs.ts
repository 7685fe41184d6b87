/**
 * Required arguments and documented error codes of every Web API method the
 * stand-in serves, copied from the Slack method reference (docs.slack.dev via
 * slack-ruby/slack-api-ref, MIT; conversations.list, conversations.open and
 * pins.list from slackapi/slack-api-specs, MIT). `token` is left out of
 * `required` because the server checks it before any method runs.
 * `test/sandbox/slack-methods.test.ts` keeps this table in step with the copy in
 * `test/fixtures/slack/methods-catalog.json`.
 */

/** What the reference says about one method. */
export interface MethodSpec {
  /** Arguments Slack refuses to run without (besides the token). */
  readonly required: readonly string[];
  /** Method-specific error codes Slack documents for this method. */
  readonly errors: readonly string[];
}

/** Reference data per method name. */
export const METHOD_SPECS: Readonly<Record<string, MethodSpec>> = {
  'usergroups.users.list': {
    required: ['usergroup'],
    errors: ['no_such_subteam', 'plan_upgrade_required', 'invalid_cursor'],
  },
  'auth.test': {
    required: [],
    errors: ['internal_error', 'invalid_auth'],
  },
  'team.info': {
    required: [],
    errors: [
      'enterprise_not_found', 'fail_to_get_teams_for_restricted_user', 'missing_user', 'org_not_found',
      'team_not_found', 'team_not_on_enterprise', 'user_not_found',
    ],
  },
  'conversations.create': {
    required: ['name'],
    errors: [
      'cannot_create_channel', 'invalid_name', 'invalid_name_maxlength', 'invalid_name_punctuation',
      'invalid_name_required', 'invalid_name_specials', 'missing_argument', 'missing_scope', 'name_taken',
      'no_channel', 'restricted_action', 'canvas_disabled_user_team',
    ],
  },
  'conversations.invite': {
    required: ['channel', 'users'],
    errors: [
      'already_in_channel', 'app_cannot_join_channel', 'cant_invite', 'cant_invite_self',
      'channel_not_found', 'invitee_cant_see_channel', 'is_archived', 'org_user_not_in_team',
      'method_not_supported_for_channel_type', 'missing_scope', 'no_permission',
      'no_external_invite_permission', 'no_user', 'not_in_channel', 'ura_max_channels', 'user_is_restricted',
      'user_not_found', 'external_channel_migrating',
    ],
  },
  'conversations.setTopic': {
    required: ['channel', 'topic'],
    errors: [
      'channel_not_found', 'is_archived', 'method_not_supported_for_channel_type', 'missing_scope',
      'not_in_channel', 'too_long', 'user_is_restricted',
    ],
  },
  'conversations.setPurpose': {
    required: ['channel', 'purpose'],
    errors: [
      'channel_not_found', 'is_archived', 'method_not_supported_for_channel_type', 'missing_scope',
      'not_in_channel', 'too_long', 'user_is_restricted',
    ],
  },
  'conversations.info': {
    required: ['channel'],
    errors: ['channel_is_limited_access', 'channel_not_found', 'missing_scope'],
  },
  'conversations.list': {
    required: [],
    errors: [],
  },
  'conversations.members': {
    required: ['channel'],
    errors: [
      'channel_not_found', 'fetch_members_failed', 'invalid_cursor', 'invalid_limit',
      'method_not_supported_for_channel_type', 'missing_scope',
    ],
  },
  'conversations.history': {
    required: ['channel'],
    errors: [
      'channel_is_limited_access', 'channel_not_found', 'invalid_cursor', 'invalid_metadata_filter_keys',
      'invalid_ts_latest', 'invalid_ts_oldest', 'not_in_channel',
    ],
  },
  'conversations.replies': {
    required: ['channel', 'ts'],
    errors: [
      'channel_not_found', 'invalid_cursor', 'invalid_metadata_filter_keys', 'invalid_ts_latest',
      'invalid_ts_oldest', 'missing_scope', 'thread_not_found', 'method_not_supported_for_channel_type',
      'list_record_comment_fetch_failed',
    ],
  },
  'conversations.archive': {
    required: ['channel'],
    errors: [
      'already_archived', 'cant_archive_general', 'cant_archive_required', 'channel_not_found',
      'method_not_supported_for_channel_type', 'missing_scope', 'not_in_channel', 'restricted_action',
    ],
  },
  'conversations.join': {
    required: ['channel'],
    errors: [
      'channel_is_limited_access', 'channel_not_found', 'is_archived',
      'method_not_supported_for_channel_type', 'missing_scope', 'too_many_members',
    ],
  },
  'conversations.rename': {
    required: ['channel', 'name'],
    errors: [
      'channel_not_found', 'invalid_name', 'invalid_name_maxlength', 'invalid_name_punctuation',
      'invalid_name_required', 'invalid_name_specials', 'is_archived',
      'method_not_supported_for_channel_type', 'missing_scope', 'name_taken', 'not_authorized',
      'not_in_channel',
    ],
  },
  'conversations.open': {
    required: [],
    errors: [
      'method_not_supported_for_channel_type', 'user_not_found', 'user_not_visible', 'user_disabled',
      'users_list_not_supplied', 'not_enough_users', 'too_many_users', 'invalid_user_combination',
      'channel_not_found',
    ],
  },
  'conversations.canvases.create': {
    required: ['channel_id'],
    errors: [
      'canvas_disabled_user_team', 'restricted_action', 'channel_canvas_creation_failed',
      'channel_canvas_already_exists', 'team_tier_cannot_create_channel_canvases', 'canvas_creation_failed',
      'canvas_tab_creation_failed', 'free_team_canvas_tab_already_exists',
    ],
  },
  'chat.postMessage': {
    required: ['channel'],
    errors: [
      'app_access_restricted', 'as_user_not_supported', 'channel_not_found', 'draft_already_deleted',
      'draft_already_sent', 'draft_has_conflict', 'draft_not_found', 'duplicate_channel_not_found',
      'duplicate_message_not_found', 'ekm_access_denied', 'invalid_blocks', 'invalid_blocks_format',
      'invalid_metadata_format', 'invalid_metadata_schema', 'is_archived', 'markdown_text_conflict',
      'message_limit_exceeded', 'messages_tab_disabled', 'metadata_must_be_sent_from_app',
      'metadata_too_large', 'msg_blocks_too_long', 'no_text', 'not_in_channel', 'rate_limited',
      'restricted_action', 'restricted_action_non_threadable_channel', 'restricted_action_read_only_channel',
      'restricted_action_thread_locked', 'restricted_action_thread_only_channel',
      'send_on_behalf_not_allowed', 'slack_connect_canvas_sharing_blocked',
      'slack_connect_file_link_sharing_blocked', 'slack_connect_lists_sharing_blocked', 'team_not_found',
      'too_many_attachments', 'too_many_contact_cards', 'cannot_reply_to_message', 'missing_file_data',
      'attachment_payload_limit_exceeded',
    ],
  },
  'chat.update': {
    required: ['ts', 'channel'],
    errors: [
      'as_user_not_supported', 'blocked_file_type', 'block_mismatch', 'cant_broadcast_message',
      'cant_update_message', 'channel_not_found', 'edit_window_closed', 'external_channel_migrating',
      'file_deleted', 'file_is_deleted', 'file_not_found', 'file_share_limit_reached', 'invalid_attachments',
      'invalid_blocks', 'invalid_blocks_format', 'invalid_metadata_format', 'invalid_metadata_schema',
      'is_inactive', 'markdown_text_conflict', 'max_file_sharing_exceeded', 'message_limit_exceeded',
      'message_not_found', 'metadata_must_be_sent_from_app', 'metadata_too_large', 'msg_too_long',
      'no_dual_broadcast_content_update', 'no_text', 'posting_to_channel_denied',
      'slack_connect_blocked_file_type', 'slack_connect_canvas_sharing_blocked',
      'slack_connect_clip_sharing_blocked', 'slack_connect_file_link_sharing_blocked',
      'slack_connect_file_upload_sharing_blocked', 'streaming_state_conflict', 'team_not_found',
      'too_many_attachments', 'unable_to_share_files', 'update_failed',
    ],
  },
  'chat.postEphemeral': {
    required: ['user', 'channel'],
    errors: [
      'channel_not_found', 'invalid_blocks', 'invalid_blocks_format', 'is_archived',
      'markdown_text_conflict', 'message_limit_exceeded', 'messages_tab_disabled', 'msg_too_long', 'no_text',
      'restricted_action', 'too_many_attachments', 'user_not_in_channel', 'not_in_channel',
      'invalid_attachments', 'cannot_reply_to_message',
    ],
  },
  'chat.getPermalink': {
    required: ['channel', 'message_ts'],
    errors: ['channel_not_found', 'message_not_found'],
  },
  'chat.delete': {
    required: ['ts', 'channel'],
    errors: ['cant_delete_message', 'channel_not_found', 'message_not_found'],
  },
  'pins.add': {
    required: ['channel'],
    errors: [
      'already_pinned', 'bad_timestamp', 'channel_not_found', 'external_channel_migrating', 'file_not_found',
      'file_not_shared', 'message_not_found', 'no_item_specified', 'not_in_channel', 'not_pinnable',
      'restricted_action', 'too_many_pins',
    ],
  },
  'pins.remove': {
    required: ['channel'],
    errors: [
      'bad_timestamp', 'channel_not_found', 'external_channel_migrating', 'file_comment_not_found',
      'file_not_found', 'message_not_found', 'no_item_specified', 'no_pin', 'not_pinned',
      'restricted_action',
    ],
  },
  'pins.list': {
    required: ['channel'],
    errors: ['channel_not_found'],
  },
  'reactions.add': {
    required: ['name', 'timestamp', 'channel'],
    errors: [
      'already_reacted', 'bad_timestamp', 'channel_not_found', 'external_channel_migrating', 'invalid_name',
      'is_archived', 'message_not_found', 'no_item_specified', 'not_reactable', 'thread_locked',
      'too_many_emoji', 'too_many_reactions', 'no_access',
    ],
  },
  'bookmarks.add': {
    required: ['title', 'type'],
    errors: [
      'access_denied', 'cannot_bookmark_from_external_org', 'cannot_bookmark_restricted_sharing_enabled',
      'channel_not_found', 'file_already_added', 'file_not_found', 'invalid_bookmark_type',
      'invalid_app_action_type', 'invalid_shortcut_type', 'invalid_child_type', 'invalid_emoji',
      'invalid_entity_id', 'invalid_link', 'invalid_parent_type',
      'parent_bookmark_disabled', 'parent_with_link', 'permission_denied',
      'slack_connect_file_upload_sharing_blocked', 'slack_connect_clip_sharing_blocked',
      'slack_connect_blocked_file_type', 'too_many_bookmarks', 'too_many_tabs', 'too_many_requests',
    ],
  },
  'bookmarks.list': {
    required: [],
    errors: ['access_denied', 'channel_not_found'],
  },
  'views.open': {
    required: ['view'],
    errors: [
      'duplicate_external_id', 'exchanged_trigger_id', 'expired_trigger_id', 'invalid_trigger_id',
      'view_too_large',
    ],
  },
  'views.update': {
    required: ['view'],
    errors: ['duplicate_external_id', 'hash_conflict', 'not_found', 'view_too_large'],
  },
  'views.push': {
    required: ['view'],
    errors: [
      'duplicate_external_id', 'exchanged_trigger_id', 'expired_trigger_id', 'invalid_trigger_id',
      'not_found', 'push_limit_reached', 'view_too_large',
    ],
  },
  'views.publish': {
    required: ['user_id', 'view'],
    errors: [
      'duplicate_external_id', 'hash_conflict', 'missing_profile_id', 'not_allowed_token_type',
      'not_enabled', 'view_too_large',
    ],
  },
  'users.info': {
    required: ['user'],
    errors: ['too_many_users', 'user_not_found', 'user_not_visible'],
  },
  'users.lookupByEmail': {
    required: ['email'],
    errors: ['enterprise_is_restricted', 'users_not_found'],
  },
  'users.list': {
    required: [],
    errors: ['invalid_cursor', 'limit_required', 'missing_argument'],
  },
  'canvases.create': {
    required: [],
    errors: [
      'canvas_disabled_user_team', 'restricted_action', 'canvas_creation_failed',
      'free_teams_cannot_create_non_tabbed_canvases', 'free_team_canvas_tab_already_exists',
      'free_teams_cannot_create_standalone_canvases',
    ],
  },
  'canvases.edit': {
    required: ['canvas_id', 'changes'],
    errors: [
      'canvas_not_found', 'canvas_disabled_user_team', 'free_teams_cannot_edit_standalone_canvases',
      'restricted_action', 'canvas_editing_failed', 'canvas_editing_locked', 'canvas_too_large',
    ],
  },
  'files.getUploadURLExternal': {
    required: ['length', 'filename'],
    errors: [
      'alt_txt_too_large', 'file_upload_size_restricted', 'file_uploads_disabled', 'missing_argument',
      'snippet_too_large', 'storage_limit_reached', 'unknown_snippet_type', 'unknown_subtype',
      'file_type_not_allowed', 'file_uploads_except_images_disabled',
    ],
  },
  'files.completeUploadExternal': {
    required: ['files'],
    errors: [
      'access_denied', 'channel_not_found', 'file_not_found', 'file_update_failed', 'invalid_blocks',
      'invalid_channel', 'not_in_channel', 'posting_to_channel_denied', 'channels_limit_exceeded',
      'file_type_not_allowed', 'file_uploads_except_images_disabled',
    ],
  },
  'files.info': {
    required: ['file'],
    errors: [
      'access_denied', 'file_deleted', 'file_not_found', 'canvas_globally_disabled',
      'canvas_disabled_user_team', 'canvas_disabled_file_team', 'not_visible', 'template_not_visible',
      'slack_connect_canvas_sharing_blocked',
    ],
  },
};
