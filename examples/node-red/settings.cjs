// Node-RED 4 settings for the pdv example (examples/node-red/pdv.config.ts).
// Start it as: node-red --settings settings.cjs --userDir <dir> (PORT sets the port).
//
// The editor and its admin API need a sign-in: two users, their bcrypt password
// hashes from the environment (generate one with `node-red admin hash-pw`):
//   admin  — every permission ("*"): edits and deploys flows;
//   reader — "read": opens the editor and reads flows, deploys nothing.
// Nothing here reaches out to the network: no telemetry, no update check, no
// palette catalogue, no projects (git), no tours.

module.exports = {
    uiHost: '127.0.0.1',
    uiPort: process.env.PORT || 1880,

    flowFile: 'flows.json',
    flowFilePretty: true,

    // The editor at /, its admin API (/flows, /settings, /auth/...) beside it.
    httpAdminRoot: '/',
    httpNodeRoot: '/api',

    adminAuth: {
        type: 'credentials',
        users: [
            { username: 'admin', password: process.env.NODE_RED_ADMIN_HASH, permissions: '*' },
            { username: 'reader', password: process.env.NODE_RED_READER_HASH, permissions: 'read' },
        ],
    },

    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    externalModules: {
        autoInstall: false,
        palette: { allowInstall: false, allowUpdate: false, allowUpload: false },
        modules: { allowInstall: false },
    },
    functionExternalModules: false,

    logging: { console: { level: 'info', metrics: false, audit: true } },

    editorTheme: {
        tours: false,
        projects: { enabled: false },
        multiplayer: { enabled: false },
        palette: { catalogues: [] },
        codeEditor: { lib: 'monaco' },
    },
};
