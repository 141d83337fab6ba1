// The signed-in member's unread notification count, shared by the header and the notifications
// page. The layout seeds it from the server and keeps it live from the `me` websocket room.
export const unread = $state({ count: 0 });
